package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"creditbank/app/service"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/domain"
)

type rowErrorDTO struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
	// Code and Field let the client word the problem in its reader's
	// language (see domain.ImportProblem).
	Code  string `json:"code,omitempty"`
	Field string `json:"field,omitempty"`
}

type importJobDTO struct {
	ID            uuid.UUID     `json:"id"`
	InstitutionID uuid.UUID     `json:"institutionId"`
	State         string        `json:"state"`
	Total         int           `json:"total"`
	Done          int           `json:"done"`
	OK            int           `json:"ok"`
	Failed        int           `json:"failed"`
	Created       int           `json:"created"`
	Duplicates    int           `json:"duplicates"`
	Skipped       int           `json:"skipped"`
	FileName      string        `json:"fileName,omitempty"`
	CreatedBy     string        `json:"createdBy,omitempty"` // the username of who uploaded it, when known
	Errors        []rowErrorDTO `json:"errors"`
	CreatedAt     time.Time     `json:"createdAt"`
	UpdatedAt     time.Time     `json:"updatedAt"`
}

func importJobFrom(j domain.ImportJob) importJobDTO {
	out := importJobDTO{ID: j.ID, InstitutionID: j.InstitutionID, State: string(j.State), Total: j.Total, Done: j.Done,
		OK: j.OK, Failed: j.Failed, Created: j.Created, Duplicates: j.Duplicates, Skipped: j.Skipped, FileName: j.FileName,
		Errors: []rowErrorDTO{}, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
	for _, e := range j.Errors {
		out.Errors = append(out.Errors, rowErrorDTO{Line: e.Line, Column: e.Column, Reason: e.Reason, Code: string(e.Code), Field: e.Field})
	}
	return out
}

// importOutcomes takes a CSV as the raw body (text/csv) or as the "file"
// field of a form upload, and answers 202 with the job to poll.
func (s *Server) importOutcomes(c *fiber.Ctx, op service.Op) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	var data []byte
	// The file's name, for the import history: a form upload's own, or
	// ?fileName= beside a raw body.
	name := strings.Clone(c.Query("fileName"))
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return badRequest("form upload needs a \"file\" field", nil)
		}
		name = fh.Filename
		f, err := fh.Open()
		if err != nil {
			return badRequest("cannot read the uploaded file", nil)
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, int64(s.cfg.BodyLimit)+1)); err != nil {
			return badRequest("cannot read the uploaded file", nil)
		}
	} else {
		data = append([]byte(nil), c.Body()...) // the job outlives Fiber's buffer
	}
	if len(data) == 0 {
		return badRequest("empty upload: send a CSV file", nil)
	}
	job, err := s.svc.StartImport(c.UserContext(), actor, op, cleanFileName(name), data)
	if err != nil {
		return err
	}
	c.Location("/api/v1/imports/" + job.ID.String())
	return c.Status(fiber.StatusAccepted).JSON(importJobFrom(*job))
}

// importHistoryRow is one past import: who, when, which file, the counts
// (its row problems are read from the job itself).
type importHistoryRow struct {
	importJobDTO
	ErrorCount int `json:"errorCount"`
}

func (s *Server) importHistory(c *fiber.Ctx) error {
	return listPage(c, s.svc.ImportHistory, func(r service.ImportRecord) importHistoryRow {
		d := importJobFrom(r.Job)
		d.CreatedBy = r.Uploader
		n := len(d.Errors)
		d.Errors = []rowErrorDTO{}
		return importHistoryRow{d, n}
	})
}

func (s *Server) getImport(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	job, err := s.svc.ImportJob(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	return c.JSON(importJobFrom(*job))
}

// cleanFileName keeps a file name fit to show: its base name, without
// control characters, at most 120 characters.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	return name
}

// importFailedRows hands back the rows of a job that were not banked, as
// a CSV in the file's own columns plus an error column (in the reader's
// language, ?lang=en or zh), ready to correct and send again. Rows banked
// or already in the bank are left out, so re-sending banks each row once.
func (s *Server) importFailedRows(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	job, err := s.svc.ImportJob(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	en := c.Query("lang") == "en"
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf") // Excel reads UTF-8 only with the mark
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	errCol := "错误原因"
	if en {
		errCol = "Error"
	}
	_ = w.Write(append(append([]string{}, job.Header...), errCol))
	// One line per row, its problems joined, in file order.
	var lines []int
	byLine := map[int][]domain.ImportRowError{}
	for _, e := range job.Errors {
		if e.Record == nil {
			continue
		}
		if _, seen := byLine[e.Line]; !seen {
			lines = append(lines, e.Line)
		}
		byLine[e.Line] = append(byLine[e.Line], e)
	}
	for _, line := range lines {
		problems := byLine[line]
		words := make([]string, len(problems))
		for i, p := range problems {
			words[i] = importProblemText(p, en)
		}
		rec := make([]string, len(job.Header))
		copy(rec, problems[0].Record)
		_ = w.Write(append(rec, strings.Join(words, "；")))
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="import-failed-rows-`+job.CreatedAt.Format("2006-01-02")+`.csv"`)
	return c.Send(buf.Bytes())
}

// importProblemText words one row problem for the error column.
func importProblemText(p domain.ImportRowError, en bool) string {
	col := p.Column
	if col == "" {
		col = p.Field
	}
	zh := map[domain.ImportProblem]string{
		domain.ImportRequired:   "“%s”必须填写",
		domain.ImportNumber:     "“%s”应为数字",
		domain.ImportWhole:      "“%s”应为整数",
		domain.ImportDate:       "“%s”应为日期，例如 2024-06-30 或 2024/6/30",
		domain.ImportYesNo:      "“%s”应填“是”或“否”",
		domain.ImportInvalid:    "“%s”填写有误",
		domain.ImportUnreadable: "这一行的格式无法读取（请检查引号）",
		domain.ImportForbidden:  "本机构不能登记这类成果",
		domain.ImportInternal:   "系统暂时出错，请重新上传",
	}
	eng := map[domain.ImportProblem]string{
		domain.ImportRequired:   "“%s” is required",
		domain.ImportNumber:     "“%s” must be a number",
		domain.ImportWhole:      "“%s” must be a whole number",
		domain.ImportDate:       "“%s” must be a date like 2024-06-30 or 2024/6/30",
		domain.ImportYesNo:      "“%s” must be yes or no",
		domain.ImportInvalid:    "“%s” is not valid",
		domain.ImportUnreadable: "this line cannot be read (check its quotes)",
		domain.ImportForbidden:  "your institution may not issue this kind of outcome",
		domain.ImportInternal:   "a passing error of ours: send the file again",
	}
	words := zh
	if en {
		words = eng
	}
	f, ok := words[p.Code]
	if !ok {
		return p.Reason
	}
	if strings.Contains(f, "%s") {
		f = fmt.Sprintf(f, col)
	}
	if p.Code == domain.ImportInvalid && en {
		f += ": " + p.Reason
	}
	return f
}
