from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from confidence_vote.rules.base import ELECTED_WORDS, PARTY_WORDS, RuleProfile

# Quy định 96-QĐ/TW (02/02/2023), Điều 6: the conference proceeds only when at
# least 2/3 of those convened attend; percentages are over the ballots
# collected; a defect in one official's row invalidates that row only.
PARTY_96_2023 = RuleProfile(
    code="party-96-2023",
    name=_("Party bodies: Regulation 96-QĐ/TW (2023)"),
    legal_basis="Quy định số 96-QĐ/TW ngày 02/02/2023 của Bộ Chính trị về việc lấy phiếu tín "
    "nhiệm đối với chức danh, chức vụ lãnh đạo, quản lý trong hệ thống chính trị",
    act_number="96-QĐ/TW",
    quorum=Fraction(2, 3),
    quorum_basis="Quy định số 96-QĐ/TW, Điều 6",
    percentage_base="collected",
    row_defect_voids_ballot=False,
    two_thirds_inclusive=True,
    body="party",
    words=PARTY_WORDS,
)

# The elected bodies' percentages: the law counts "tổng số đại biểu" (all deputies, present
# or not); since 2023 some councils publish shares over the ballots collected instead, so a
# session of the 2023 profile may choose (DOMAIN.md, "The base since 2023 is contested").
ELECTED_BASE_WORDS = {
    "convened": "tổng số đại biểu",
    "collected": "tổng số phiếu thu về",
}
LOCAL_GOVERNMENT_LAW = (
    "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung "
    "một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 "
    "tháng 11 năm 2019"
)

# Nghị quyết 96/2023/QH15: percentages are over the total number of deputies by default,
# present or not. A session of the National Assembly or a People's Council proceeds with at
# least 2/3 of the deputies present (Luật Tổ chức chính quyền địa phương, Điều 78), which is
# kept as this profile's quorum.
ASSEMBLY_96_2023 = RuleProfile(
    code="assembly-96-2023",
    name=_("Elected bodies: Resolution 96/2023/QH15"),
    legal_basis="Nghị quyết số 96/2023/QH15 ngày 23 tháng 6 năm 2023 của Quốc hội về lấy "
    "phiếu tín nhiệm, bỏ phiếu tín nhiệm đối với người giữ chức vụ do Quốc hội, Hội đồng "
    "nhân dân bầu hoặc phê chuẩn",
    act_number="96/2023/QH15",
    quorum=Fraction(2, 3),
    quorum_basis="Luật Tổ chức chính quyền địa phương, Điều 78",
    percentage_base="convened",
    percentage_bases=("convened", "collected"),
    row_defect_voids_ballot=False,
    two_thirds_inclusive=True,
    body="elected",
    words=ELECTED_WORDS,
    base_words=ELECTED_BASE_WORDS,
    resolution_bases=(LOCAL_GOVERNMENT_LAW,),
)

# Nghị quyết 85/2014/QH13 (Điều 17): shares over the total number of deputies, the practice
# of every 2013–2018 publication; sessions of those years cite their own law.
ASSEMBLY_85_2014 = RuleProfile(
    code="assembly-85-2014",
    name=_("Elected bodies: Resolution 85/2014/QH13"),
    legal_basis="Nghị quyết số 85/2014/QH13 ngày 28 tháng 11 năm 2014 của Quốc hội về việc "
    "lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm đối với người giữ chức vụ do Quốc hội, Hội đồng "
    "nhân dân bầu hoặc phê chuẩn",
    act_number="85/2014/QH13",
    quorum=Fraction(2, 3),
    quorum_basis="Luật Tổ chức chính quyền địa phương, Điều 78",
    percentage_base="convened",
    row_defect_voids_ballot=False,
    two_thirds_inclusive=True,
    body="elected",
    words=ELECTED_WORDS,
    base_words=ELECTED_BASE_WORDS,
    resolution_bases=(LOCAL_GOVERNMENT_LAW,),
)
