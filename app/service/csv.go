package service

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"creditbank/domain"
)

// MaxImportRows bounds one upload; larger batches are split by the sender.
const MaxImportRows = 100000

// csvColumns maps every accepted header (English or the Chinese an Excel
// template uses) to its field.
var csvColumns = map[string]string{
	"nationalid": "nationalId", "身份证号": "nationalId", "身份证号码": "nationalId",
	"name": "name", "姓名": "name",
	"category": "category", "类别": "category", "成果类别": "category",
	"title": "title", "成果名称": "title", "课程名称": "title", "名称": "title",
	"coursecode": "courseCode", "课程代码": "courseCode", "课程编号": "courseCode",
	"hours": "hours", "学时": "hours",
	"credits": "credits", "学分": "credits",
	"score": "score", "成绩": "score", "分数": "score",
	"passmark": "passMark", "及格线": "passMark",
	"grade": "grade", "等第": "grade",
	"passed": "passed", "是否通过": "passed", "通过": "passed",
	"completedon": "completedOn", "完成日期": "completedOn", "结业日期": "completedOn",
	"expireson": "expiresOn", "有效期至": "expiresOn",
	"level": "level", "级别": "level", "等级": "level",
	// A certification unit: category, level and credits come from it.
	"unitcode": "unitCode", "认证单元代码": "unitCode", "认证单元": "unitCode", "单元代码": "unitCode",
	// A course of the issuer's own catalogue: category, title and hours
	// come from it and may be left out.
	"cataloguecode": "catalogueCode", "目录课程代码": "catalogueCode", "目录课程": "catalogueCode",
}

var requiredColumns = []string{"nationalId", "name", "category", "title", "hours", "completedOn"}

// catalogueFills are the required columns a catalogue code makes optional.
var catalogueFills = map[string]bool{"category": true, "title": true, "hours": true}

// csvRow is one parsed line, with the header each field came from so that
// errors name the column the way the sender's file does.
type csvRow struct {
	line    int
	input   IssueInput
	headers map[string]string // field → header as written
	record  []string          // the cells as written
	err     *domain.ImportRowError
}

// csvFile is a parsed upload: its header as written, its data rows, and
// the template's example rows, which are reported and not imported.
type csvFile struct {
	header   []string
	rows     []csvRow
	examples []domain.ImportRowError
}

// ExampleMark starts the national ID cell of the template's example row:
// such a row shows how to fill the file in and is never imported.
const ExampleMark = "示例"

// binaryMagic are the starts of files people upload by mistake instead of
// a CSV; each is refused by name before any decoding.
var binaryMagic = []struct {
	magic, what string
}{
	{"PK\x03\x04", "an Excel workbook (.xlsx) or other zip file, not CSV: save it as CSV (UTF-8) first"},
	{"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls), not CSV: save it as CSV (UTF-8) first"},
	{"\x89PNG", "a picture (PNG), not CSV"},
	{"\xff\xd8\xff", "a picture (JPEG), not CSV"},
	{"GIF8", "a picture (GIF), not CSV"},
	{"%PDF", "a PDF document, not CSV"},
}

// sniffBinary says why data is not text, or "" if it may be: a known
// binary format by its first bytes, or any NUL byte (text has none, in
// UTF-8 or GBK).
func sniffBinary(data []byte) string {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(data, []byte(m.magic)) {
			return m.what
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "not a text file, not CSV"
	}
	return ""
}

// decodeCSVText accepts UTF-8 (with or without BOM) or GBK, which is what
// Excel on a Chinese-language Windows writes.
func decodeCSVText(data []byte) ([]byte, error) {
	if why := sniffBinary(data); why != "" {
		return nil, domain.Invalid("file", why)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return data, nil
	}
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
	if err != nil {
		return nil, domain.Invalid("file", "not UTF-8 or GBK text")
	}
	return out, nil
}

// parseOutcomeCSV reads the whole file up front so that a bad header or an
// oversized file is refused before any job starts.
func parseOutcomeCSV(data []byte) (csvFile, error) {
	var out csvFile
	text, err := decodeCSVText(data)
	if err != nil {
		return out, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return out, domain.Invalid("file", "empty: the first line must be a header")
	}
	if err != nil {
		return out, domain.Invalid("file", "header: "+err.Error())
	}
	index := map[string]int{}
	written := map[string]string{}
	v := &domain.ValidationError{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		field, ok := csvColumns[strings.ToLower(h)]
		if !ok {
			v.Add("file", fmt.Sprintf("unknown column %q (column %d of the first line)", h, i+1))
			continue
		}
		if _, dup := index[field]; dup {
			v.Add("file", fmt.Sprintf("column %q appears twice", h))
		}
		index[field], written[field] = i, h
	}
	_, fromCatalogue := index["catalogueCode"]
	if _, fromUnit := index["unitCode"]; fromUnit {
		fromCatalogue = true
	}
	for _, f := range requiredColumns {
		if fromCatalogue && catalogueFills[f] {
			continue
		}
		if _, ok := index[f]; !ok {
			v.Add("file", "missing column "+templateHeaders[f])
		}
	}
	if err := v.Err(); err != nil {
		return out, err
	}
	out.header = header
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			out.rows = append(out.rows, csvRow{line: line, err: &domain.ImportRowError{Line: line, Reason: "unreadable CSV line: " + err.Error(),
				Code: domain.ImportUnreadable}})
			continue
		}
		if blank(rec) {
			continue
		}
		if i, ok := index["nationalId"]; ok && i < len(rec) && strings.HasPrefix(strings.TrimSpace(rec[i]), ExampleMark) {
			out.examples = append(out.examples, domain.ImportRowError{Line: line, Column: written["nationalId"], Field: "nationalId",
				Reason: "the template's example row: not imported", Code: domain.ImportExample})
			continue
		}
		if len(out.rows) >= MaxImportRows {
			return out, domain.Invalid("file", fmt.Sprintf("more than %d rows; split the file", MaxImportRows))
		}
		out.rows = append(out.rows, rowFrom(line, rec, index, written))
	}
	if len(out.rows) == 0 && len(out.examples) == 0 {
		return out, domain.Invalid("file", "no data rows after the header")
	}
	return out, nil
}

// templateHeaders name each field as the template's header does, for
// messages about a missing column.
var templateHeaders = map[string]string{
	"nationalId": "身份证号", "name": "姓名", "category": "类别", "title": "成果名称",
	"hours": "学时", "completedOn": "完成日期",
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func rowFrom(line int, rec []string, index map[string]int, written map[string]string) csvRow {
	get := func(field string) string {
		if i, ok := index[field]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := csvRow{line: line, headers: written, record: rec}
	fail := func(field string, code domain.ImportProblem, reason string) csvRow {
		row.err = &domain.ImportRowError{Line: line, Column: written[field], Field: field, Reason: reason, Code: code, Record: rec}
		return row
	}
	in := domain.OutcomeInput{Category: categoryCode(get("category")), Title: get("title"), CourseCode: get("courseCode"), UnitCode: get("unitCode")}
	var err error
	catalogue := get("catalogueCode")
	if h := get("hours"); h != "" || (catalogue == "" && in.UnitCode == "") {
		if h == "" {
			return fail("hours", domain.ImportRequired, "required")
		}
		if in.Hours, err = strconv.ParseFloat(h, 64); err != nil {
			return fail("hours", domain.ImportNumber, "must be a number")
		}
	}
	if s := get("credits"); s != "" {
		c, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fail("credits", domain.ImportNumber, "must be a number")
		}
		in.Credits = &c
	}
	if s := get("score"); s != "" {
		sc, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fail("score", domain.ImportNumber, "must be a number")
		}
		in.Result.Score = &sc
	}
	if s := get("passMark"); s != "" {
		pm, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fail("passMark", domain.ImportNumber, "must be a number")
		}
		in.Result.PassMark = &pm
	}
	in.Result.Grade = strings.ToUpper(get("grade"))
	if s := get("passed"); s != "" {
		p, ok := parseYes(s)
		if !ok {
			return fail("passed", domain.ImportYesNo, "must be yes/no (是/否, true/false)")
		}
		in.Result.Passed = &p
	}
	if s := get("level"); s != "" {
		if in.Level, err = strconv.Atoi(s); err != nil {
			return fail("level", domain.ImportWhole, "must be a whole number")
		}
	}
	if get("completedOn") == "" {
		return fail("completedOn", domain.ImportRequired, "required")
	}
	if in.CompletedOn, err = parseCSVDate(get("completedOn")); err != nil {
		return fail("completedOn", domain.ImportDate, "must be a date like 2024-06-30 or 2024/6/30")
	}
	if s := get("expiresOn"); s != "" {
		t, err := parseCSVDate(s)
		if err != nil {
			return fail("expiresOn", domain.ImportDate, "must be a date like 2028-06-30 or 2028/6/30")
		}
		in.ExpiresOn = &t
	}
	row.input = IssueInput{NationalID: get("nationalId"), Name: get("name"), Outcome: in, CatalogueCode: catalogue}
	return row
}

// categoryCode accepts a category's code or its Chinese name (社区教育 …),
// since templates filled in by hand use the names.
func categoryCode(s string) string {
	for _, c := range domain.Categories {
		if s == c.NameZH() || strings.EqualFold(s, string(c)) {
			return string(c)
		}
	}
	return s
}

func parseYes(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "true", "1", "是", "通过", "合格":
		return true, true
	case "no", "n", "false", "0", "否", "不通过", "不合格":
		return false, true
	}
	return false, false
}

// parseCSVDate accepts the ISO form and the forms Excel writes.
func parseCSVDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad date")
}

// columnOf names the CSV column behind a validation problem's field, and
// the field itself as the columns know it.
func (r csvRow) columnOf(field string) (column, f string) {
	field = strings.TrimPrefix(field, "learner.")
	field = strings.TrimPrefix(field, "result.")
	if h, ok := r.headers[field]; ok {
		return h, field
	}
	return "", field
}

// problemCode classes a validation reason: an empty required value is
// "required" whatever the field, the rest "invalid" with the reason.
func problemCode(reason string) domain.ImportProblem {
	if strings.HasPrefix(reason, "required") {
		return domain.ImportRequired
	}
	return domain.ImportInvalid
}
