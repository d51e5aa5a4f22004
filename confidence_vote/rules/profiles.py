from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from confidence_vote.rules.base import RuleProfile

# Quy định 96-QĐ/TW (02/02/2023), Điều 6: the conference proceeds only when at
# least 2/3 of those convened attend; percentages are over the ballots
# collected; a defect in one official's row invalidates that row only.
PARTY_96_2023 = RuleProfile(
    code="party-96-2023",
    name=_("Party bodies: Regulation 96-QĐ/TW (2023)"),
    legal_basis="Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị về việc lấy phiếu tín "
    "nhiệm đối với chức danh lãnh đạo, quản lý trong hệ thống chính trị",
    quorum=Fraction(2, 3),
    quorum_basis="Quy định số 96-QĐ/TW, Điều 6",
    percentage_base="collected",
    row_defect_voids_ballot=False,
    two_thirds_inclusive=True,
)

# Nghị quyết 96/2023/QH15: percentages are over the total number of deputies,
# present or not. A session of the National Assembly or a People's Council
# proceeds with at least 2/3 of the deputies present (Luật Tổ chức chính
# quyền địa phương, Điều 78), which is kept as this profile's quorum.
ASSEMBLY_96_2023 = RuleProfile(
    code="assembly-96-2023",
    name=_("Elected bodies: Resolution 96/2023/QH15"),
    legal_basis="Nghị quyết số 96/2023/QH15 ngày 23/6/2023 của Quốc hội về lấy phiếu tín "
    "nhiệm, bỏ phiếu tín nhiệm đối với người giữ chức vụ do Quốc hội, Hội đồng nhân dân "
    "bầu hoặc phê chuẩn",
    quorum=Fraction(2, 3),
    quorum_basis="Luật Tổ chức chính quyền địa phương, Điều 78",
    percentage_base="convened",
    row_defect_voids_ballot=False,
    two_thirds_inclusive=True,
)
