"""Lists that grow (ballots, differences, audit entries, sessions) are shown 50 a page: two
queries (the count and the page), whatever the length of the list."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def page_of(request, items, *, per_page: int = PAGE_SIZE) -> Page:
    """The page `?page=N` of `items` (a query or a list); a page out of range or not a number
    gives the last or the first page, never an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
