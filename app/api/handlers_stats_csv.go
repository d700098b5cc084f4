package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
	"creditbank/domain"
)

// The statistics tables offered as CSV, for the centre's own reports in
// Excel. Each has a Chinese + English header row; coded columns (category,
// status, age band) come with a bilingual label next to the code.

// utf8BOM makes Excel on Chinese Windows read the file as UTF-8 rather
// than in the system code page (GBK).
const utf8BOM = "\xef\xbb\xbf"

type statsTable struct {
	header []string
	rows   func(st statsDTO) [][]string
}

// statsTableOrder lists the tables in the order of the statistics screen.
var statsTableOrder = []string{"summary", "byCategory", "byInstitution", "byRegion", "byMonth",
	"conversions", "learnersByAgeBand", "coursesByCategory"}

var statsTables = map[string]statsTable{
	"summary": {
		header: []string{"指标代码 / Key", "指标 / Metric", "数值 / Value"},
		rows: func(st statsDTO) [][]string {
			courses := 0
			for _, n := range st.CoursesByCategory {
				courses += n
			}
			return [][]string{
				{"accounts", "学习账户 / Learning accounts", strconv.Itoa(st.Accounts)},
				{"claimedAccounts", "已激活账户 / Claimed accounts", strconv.Itoa(st.ClaimedAccounts)},
				{"activeLearners", "近 12 个月活跃学习者 / Active learners (last 12 months)", strconv.Itoa(st.ActiveLearners)},
				{"outcomes", "有效成果 / Valid outcomes", strconv.Itoa(st.Outcomes)},
				{"revokedOutcomes", "已撤销成果 / Revoked outcomes", strconv.Itoa(st.RevokedOutcomes)},
				{"credits", "累计学分 / Credits banked", csvCredits(st.Credits)},
				{"convertedCredits", "已转换学分 / Credits converted", csvCredits(st.ConvertedCredits)},
				{"courses", "目录课程 / Catalogue courses", strconv.Itoa(courses)},
			}
		},
	},
	"byCategory": {
		header: []string{"类别代码 / Category code", "类别 / Category", "成果数 / Outcomes", "学分 / Credits"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, c := range categoryKeys(st.ByCategory) {
				t := st.ByCategory[c]
				out = append(out, []string{c, categoryLabel(c), strconv.Itoa(t.Outcomes), csvCredits(t.Credits)})
			}
			return out
		},
	},
	"byInstitution": {
		header: []string{"机构 ID / Institution ID", "机构 / Institution", "成果数 / Outcomes", "学分 / Credits"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, t := range st.ByInstitution {
				out = append(out, []string{t.InstitutionID, csvText(t.Name), strconv.Itoa(t.Outcomes), csvCredits(t.Credits)})
			}
			return out
		},
	},
	"byRegion": {
		header: []string{"区域 / Region", "成果数 / Outcomes", "学分 / Credits"},
		rows: func(st statsDTO) [][]string {
			regions := make([]string, 0, len(st.ByRegion))
			for r := range st.ByRegion {
				regions = append(regions, r)
			}
			sort.Slice(regions, func(i, j int) bool {
				a, b := st.ByRegion[regions[i]], st.ByRegion[regions[j]]
				if a.Credits != b.Credits {
					return a.Credits > b.Credits
				}
				return regions[i] < regions[j]
			})
			var out [][]string
			for _, r := range regions {
				t := st.ByRegion[r]
				out = append(out, []string{csvText(r), strconv.Itoa(t.Outcomes), csvCredits(t.Credits)})
			}
			return out
		},
	},
	"byMonth": {
		header: []string{"完成月份 / Month completed", "成果数 / Outcomes", "学分 / Credits"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, m := range st.ByMonth {
				out = append(out, []string{m.Month, strconv.Itoa(m.Outcomes), csvCredits(m.Credits)})
			}
			return out
		},
	},
	"conversions": {
		header: []string{"状态代码 / Status code", "状态 / Status", "申请数 / Applications"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, s := range orderedKeys(conversionStatusOrder, st.Conversions) {
				out = append(out, []string{s, conversionLabels[s], strconv.Itoa(st.Conversions[s])})
			}
			return out
		},
	},
	"learnersByAgeBand": {
		header: []string{"年龄段代码 / Age band code", "年龄段 / Age band", "学习者 / Learners"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, b := range orderedKeys(service.AgeBands, st.LearnersByAgeBand) {
				out = append(out, []string{b, ageBandLabels[b], strconv.Itoa(st.LearnersByAgeBand[b])})
			}
			return out
		},
	},
	"coursesByCategory": {
		header: []string{"类别代码 / Category code", "类别 / Category", "课程数 / Courses"},
		rows: func(st statsDTO) [][]string {
			var out [][]string
			for _, c := range categoryKeys(st.CoursesByCategory) {
				out = append(out, []string{c, categoryLabel(c), strconv.Itoa(st.CoursesByCategory[c])})
			}
			return out
		},
	},
}

var categoryNamesEN = map[domain.Category]string{
	domain.CategoryAcademic:    "Academic",
	domain.CategoryVocational:  "Vocational training",
	domain.CategoryCertificate: "Skills certificate",
	domain.CategoryCommunity:   "Community education",
	domain.CategorySenior:      "Senior education",
	domain.CategoryOnline:      "Online course",
	domain.CategoryOther:       "Other",
}

func categoryLabel(code string) string {
	c := domain.Category(code)
	if c.NameZH() == "" {
		return code
	}
	return c.NameZH() + " / " + categoryNamesEN[c]
}

var conversionStatusOrder = []string{string(domain.ConversionPending), string(domain.ConversionApproved),
	string(domain.ConversionRejected), string(domain.ConversionNeedsReview)}

var conversionLabels = map[string]string{
	string(domain.ConversionPending):     "待审核 / Pending",
	string(domain.ConversionApproved):    "已通过 / Approved",
	string(domain.ConversionRejected):    "未通过 / Rejected",
	string(domain.ConversionNeedsReview): "需复核 / Needs review",
}

var ageBandLabels = map[string]string{
	"<18":   "18 岁以下 / Under 18",
	"18-34": "18–34 岁 / 18–34",
	"35-59": "35–59 岁 / 35–59",
	"60+":   "60 岁及以上 / 60 and over",
}

// categoryKeys lists every category, with or without figures, in display
// order, then any category the store holds that the domain no longer knows.
func categoryKeys[V any](m map[string]V) []string {
	known := make([]string, 0, len(domain.Categories))
	for _, c := range domain.Categories {
		known = append(known, string(c))
	}
	return orderedKeys(known, m)
}

// orderedKeys is the fixed list, then m's other keys sorted, so a table has
// a row for every known value (zero included) and loses nothing.
func orderedKeys[V any](fixed []string, m map[string]V) []string {
	out := append([]string(nil), fixed...)
	seen := map[string]bool{}
	for _, k := range fixed {
		seen[k] = true
	}
	var extra []string
	for k := range m {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// csvCredits rounds away binary noise (0.1 + 0.2) that a spreadsheet would
// show.
func csvCredits(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// csvText defuses text that a spreadsheet would run as a formula (CSV
// injection): institution names and regions are typed by people. Spreadsheets
// differ in what they skip before looking for "=", and some fold full-width
// forms to ASCII, so the check looks past leading spaces and invisible
// characters (zero-width and bidi controls) and knows the full-width and
// small forms of the trigger characters too.
func csvText(s string) string {
	rest := strings.TrimLeftFunc(s, func(r rune) bool { return r == ' ' || csvInvisible(r) })
	if rest == "" {
		return s
	}
	first, _ := utf8.DecodeRuneInString(rest)
	if strings.ContainsRune("=+-@\t\r\n＝＋－＠﹦﹢﹣﹫", first) {
		return "'" + s
	}
	return s
}

// csvInvisible reports the zero-width and bidi control characters a name
// could hide a formula behind.
func csvInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space, non-joiner, joiner; LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2064, // word joiner and invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xFEFF, r == 0x061C, r == 0x180E:
		return true
	}
	return false
}

// statsCSV answers GET /stats/{table}.csv: one statistics table, for Excel.
func (s *Server) statsCSV(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	// Authorisation first: only an admin learns which tables exist.
	st, err := s.svc.DistrictStats(c.UserContext(), actor)
	if err != nil {
		return err
	}
	name := c.Params("table")
	table, ok := statsTables[name]
	if !ok {
		return fmt.Errorf("statistics table %q (tables: %v): %w", name, statsTableOrder, domain.ErrNotFound)
	}
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true // what Excel writes and expects
	if err := w.Write(table.header); err != nil {
		return err
	}
	if err := w.WriteAll(table.rows(statsFrom(st))); err != nil {
		return err
	}
	date := s.now().In(domain.DistrictZone).Format("2006-01-02")
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="creditbank-stats-%s-%s.csv"`, name, date))
	return c.Send(buf.Bytes())
}
