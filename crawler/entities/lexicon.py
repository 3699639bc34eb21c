"""Word lists for the rules: surnames, cues, role words, organisation heads, fixed phrases.

All entries are NFC. Matching is on lower-cased text unless a list says otherwise.
"""

from __future__ import annotations


def _words(block: str) -> list[str]:
    return block.split()


# Kinh surnames plus those common among ethnic minorities (Thái, Mông, Dao, Tày, Nùng,
# Ê Đê, Gia Rai, Ba Na...). Upper-case first letter, as written before a given name.
SURNAMES = frozenset(
    _words("""
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Lâm Mai Trịnh
Trương Đào Cao Lương Hà Tô Tạ Quách Chu Thái Vương Kiều Lưu Triệu Tăng Từ Thân Khúc Mạc Lục Đàm Lại
Văn Tôn Âu Hứa Giáp Phùng Nghiêm Doãn Kim Quan Diệp Châu Mạch Ninh Hầu Khổng Bế Nông Lò Quàng Cầm
Lường Tòng Vì Giàng Sùng Thào Mùa Hạng Vàng Lầu Sầm Hờ Cứ Mã Lù Chảo Tẩn Bàn Sìn Ly Lỳ Pờ Mè Xa Lữ
Thạch Danh Sơn Kha Ksor Rơ Siu Rahlan Nay Kpă Y H' Niê Êban Bkrông Mlô Lô Vi Ông Cù Đồng Nhữ Ôn
Khương Biện Bạch Trình Tiêu Thiều Ung Yên Hồng La Phí Quản Lã Giang Ma Lư Lạc Thi Đới Mẫn Dư Ngọc
Tống Phó Lăng Hàn Ngư Thủy Phương
""")
)

# Cues written before a name. Longest first when matching.
CUES = (
    "đồng chí", "đ/c", "đ/chí", "ông", "bà", "anh", "chị", "cụ", "cháu", "em", "thầy", "cô",
    "bác sĩ", "bác", "nhà báo", "nghệ nhân", "nghệ sĩ", "nhạc sĩ", "nhà thơ", "nhà văn", "họa sĩ",
    "nsnd", "nsưt", "gs", "pgs", "ts", "ths", "bs", "gs.ts", "pgs.ts", "bs.ckii", "bsckii",
    "giáo sư", "phó giáo sư", "tiến sĩ", "thạc sĩ", "luật sư", "kỹ sư", "liệt sĩ", "mẹ", "vận động viên",
    "võ sư", "võ sĩ", "thí sinh", "học sinh", "sinh viên", "em", "bị cáo", "đối tượng", "tài xế",
    "đại tướng", "thượng tướng", "trung tướng", "thiếu tướng", "đại tá", "thượng tá", "trung tá",
    "thiếu tá", "đại úy", "thượng úy", "trung úy", "thiếu úy", "thượng sĩ", "trung sĩ", "hạ sĩ",
    "binh nhất", "binh nhì", "chiến sĩ", "già làng", "hlv", "huấn luyện viên", "phu nhân", "chí sĩ",
)  # fmt: skip
# Cues strong enough that a single capitalised word after them is a name ("ông Tuấn").
STRONG_CUES = frozenset(c for c in CUES if c not in {"em", "cô", "mẹ", "bác", "cụ", "cháu"})

# Words a role starts with (lower case); a role chain is a run of these segments.
ROLE_HEADS = (
    "tổng bí thư", "chủ tịch nước", "thủ tướng", "phó thủ tướng", "bộ trưởng", "thứ trưởng",
    "ủy viên", "uỷ viên", "bí thư", "phó bí thư", "chủ tịch", "phó chủ tịch", "trưởng ban",
    "phó trưởng ban", "giám đốc", "phó giám đốc", "tổng giám đốc", "phó tổng giám đốc", "trưởng phòng",
    "phó trưởng phòng", "chánh văn phòng", "phó chánh văn phòng", "chánh án", "phó chánh án",
    "viện trưởng", "phó viện trưởng", "cục trưởng", "phó cục trưởng", "chi cục trưởng", "chánh thanh tra",
    "chỉ huy trưởng", "phó chỉ huy trưởng", "chính ủy", "phó chính ủy", "tư lệnh", "phó tư lệnh",
    "chủ nhiệm", "phó chủ nhiệm", "hiệu trưởng", "phó hiệu trưởng", "trưởng công an", "phó trưởng công an",
    "đại biểu quốc hội", "trưởng đoàn", "phó trưởng đoàn", "thành viên", "thường trực", "nguyên",
    "trưởng", "phó", "tổng thư ký", "thư ký", "kế toán trưởng", "tổng biên tập", "phó tổng biên tập",
    "đại sứ", "đoàn trưởng", "trưởng thôn", "trưởng bản", "bí thư chi bộ", "chủ nhiệm hợp tác xã",
    "người phát ngôn", "tổng tham mưu trưởng", "phó tổng tham mưu trưởng", "tham mưu trưởng", "trợ lý",
    "chuyên viên", "cán bộ", "đội trưởng", "phó đội trưởng", "điều tra viên",
)  # fmt: skip

# Lower-case words that end a role segment (the verb or preposition after the role).
ROLE_STOPS = frozenset(
    _words("""
làm đã đang sẽ có cùng cho tại về với được phát chủ dự tham khẳng nhấn trao tặng đề yêu kiểm đến
thăm là đi tiếp báo biết vừa ký chúc gửi nêu nói chia mong cũng luôn thì và
""")
)

# Honorific-like words that must not start a person name.
NOT_NAMES = frozenset(
    _words("""
Đồng Chí Ông Bà Anh Chị Ủy Uỷ Bí Chủ Phó Trưởng Giám Đại Thượng Trung Thiếu Tỉnh Huyện Xã Phường Thị
Thành Ban Sở Hội Đảng Nhà Nước Ngày Tháng Năm Theo Tại Trong Sau Với Đoàn Các Những Tổng Thủ Bộ Cục
Công Quân Lễ Văn Người Chương Ngân Trường Bệnh Khu Xuân Tết Đông Tây Nam Bắc
""")
)

# Spans inside which no person or place is found: ideology, awards, streets named after people.
FIXED_PHRASES = (
    "mẹ việt nam anh hùng",
    "anh hùng lực lượng vũ trang nhân dân",
    "anh hùng lao động",
    "tư tưởng hồ chí minh",
    "chủ nghĩa mác - lênin",
    "chủ nghĩa mác-lênin",
    "chủ nghĩa mác lênin",
    "mác - lênin",
    "mác-lênin",
    "mác lênin",
    "huân chương hồ chí minh",
    "giải thưởng hồ chí minh",
    "đường hồ chí minh",
    "đường mòn hồ chí minh",
    "chiến dịch hồ chí minh",
    "lăng chủ tịch hồ chí minh",
    "bảo tàng hồ chí minh",
    "đội thiếu niên tiền phong hồ chí minh",
    "tấm gương đạo đức hồ chí minh",
    "phong cách hồ chí minh",
    "đạo đức hồ chí minh",
    "học tập và làm theo tư tưởng, đạo đức, phong cách hồ chí minh",
)

COUNTRIES = frozenset((
    "Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Mỹ", "Hoa Kỳ", "Nga",
    "Pháp", "Đức", "Thái Lan", "Singapore", "Indonesia", "Malaysia", "Philippines", "Myanmar",
    "Ấn Độ", "Úc", "Australia", "Triều Tiên", "Cuba", "Đài Loan", "Hồng Kông", "Italy", "Ý",
    "Tây Ban Nha", "Canada", "Brazil", "Israel", "Ukraine", "Hà Lan", "Bỉ", "Thụy Sĩ", "Thụy Điển",
    "Na Uy", "Đan Mạch", "Phần Lan", "New Zealand", "UAE", "Maldives", "Guam", "Qatar", "Ả Rập Xê Út",
    "Iran", "Iraq", "Mông Cổ", "Belarus", "Ba Lan", "Séc",
    "Hungary", "Venezuela", "Argentina", "Mexico", "Chile", "Peru",
))  # fmt: skip

# Other names for provinces that the gazetteer spells differently.
PROVINCE_ALIASES = {
    "thừa thiên huế": "Huế", "thừa thiên - huế": "Huế", "tp.hcm": "Hồ Chí Minh", "tphcm": "Hồ Chí Minh",
    "tp. hcm": "Hồ Chí Minh", "tp hcm": "Hồ Chí Minh", "sài gòn": "Hồ Chí Minh", "hcm": "Hồ Chí Minh",
}  # fmt: skip

# Level words before a place name (lower case) -> normalised level.
PLACE_LEVELS = {
    "tỉnh": "tỉnh", "thành phố": "thành phố", "tp": "thành phố", "tp.": "thành phố",
    "huyện": "huyện", "quận": "quận", "thị xã": "thị xã", "tx": "thị xã", "tx.": "thị xã",
    "xã": "xã", "phường": "phường", "thị trấn": "thị trấn", "tt": "thị trấn", "tt.": "thị trấn",
    "đặc khu": "đặc khu", "thôn": "thôn", "làng": "làng", "bản": "bản", "buôn": "buôn", "ấp": "ấp",
    "tổ dân phố": "tổ dân phố", "khu phố": "khu phố", "xóm": "xóm", "plei": "làng", "khối": "khối",
}  # fmt: skip
# Words after which a person's name names a street, square or school, not the person.
NAMED_AFTER = frozenset({"đường", "phố", "trường", "lộ", "cầu", "thcs", "thpt", "nguyễn", "tiểu", "học"})
VILLAGE_LEVELS = frozenset({"thôn", "làng", "bản", "buôn", "ấp", "tổ dân phố", "khu phố", "xóm", "khối"})
