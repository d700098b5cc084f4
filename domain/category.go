package domain

// Category is the closed set of outcome kinds the bank recognises.
type Category string

const (
	CategoryAcademic    Category = "academic"    // 学历教育
	CategoryVocational  Category = "vocational"  // 职业培训
	CategoryCertificate Category = "certificate" // 职业技能等级证书/职业资格
	CategoryCommunity   Category = "community"   // 社区教育
	CategorySenior      Category = "senior"      // 老年教育
	CategoryOnline      Category = "online"      // 网络课程
	CategoryOther       Category = "other"
)

// Categories lists every category in display order.
var Categories = []Category{
	CategoryAcademic, CategoryVocational, CategoryCertificate, CategoryCommunity,
	CategorySenior, CategoryOnline, CategoryOther,
}

var categoryNamesZH = map[Category]string{
	CategoryAcademic:    "学历教育",
	CategoryVocational:  "职业培训",
	CategoryCertificate: "职业技能证书",
	CategoryCommunity:   "社区教育",
	CategorySenior:      "老年教育",
	CategoryOnline:      "网络课程",
	CategoryOther:       "其他",
}

// ParseCategory accepts only the known categories.
func ParseCategory(s string) (Category, error) {
	c := Category(s)
	if _, ok := categoryNamesZH[c]; !ok {
		return "", Invalid("category", "unknown category "+quote(s))
	}
	return c, nil
}

// NameZH is the Chinese display name.
func (c Category) NameZH() string { return categoryNamesZH[c] }

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "\"" + s + "\""
}
