from django import template

from sessions.navigation import session_tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def tabs_for(context, session):
    """{% tabs_for session as tabs %}: the tabs this user may open."""
    return session_tabs(session, context["request"].path)
