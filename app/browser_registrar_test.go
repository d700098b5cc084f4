package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// issuedRow is one row of the issued-outcomes table as the user reads it.
type issuedRow []string

func TestBrowserStaffIssuesOutcomeAndSeesItListed(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("issue form", chromedp.WaitVisible(chromedp.CSS(`#issue-form`)))

	// Only the institution's own categories are offered.
	cats := browserRun(b, "categories", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#issue-form select[name="category"] option')].map(o => o.value)`))
	if strings.Join(cats, ",") != "community,online,other" {
		t.Errorf("category choices = %v, want the community college's community,online,other", cats)
	}

	learner, _ := domain.CompleteNationalID("11010519880722432")
	const title = "社区摄影基础"
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#issue-form [name="` + name + `"]`) }
	b.do("fill the form",
		chromedp.SendKeys(f("learner.nationalId"), string(learner)),
		chromedp.SendKeys(f("learner.name"), "李建国"),
		chromedp.SetValue(f("category"), "community"),
		chromedp.SendKeys(f("title"), title),
		chromedp.SendKeys(f("courseCode"), "CC-PHO-01"),
		chromedp.SendKeys(f("hours"), "24"),
		chromedp.SendKeys(f("result.score"), "88"),
		chromedp.SetValue(f("completedOn"), "2025-10-01"),
		chromedp.Click(chromedp.CSS(`#issue-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issue-result`)),
	)
	if got := b.text(`#issued-credits`); got != "1.5" {
		t.Errorf("computed credits shown = %q, want 1.5 (24 h at 16 h per credit)", got)
	}

	b.do("issued list", chromedp.Click(chromedp.CSS(`#nav a[href="#/issued"]`)), chromedp.WaitVisible(chromedp.CSS(`#issued-list table`)))
	rowsJS := `[...document.querySelectorAll('#issued-list tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`
	rows := func() []issuedRow { return browserRun(b, "issued rows", chromedp.Evaluate[[]issuedRow](rowsJS)) }
	// Newest first: the outcome just issued heads the list, naming its
	// learner by name and masked ID.
	row := rows()[0]
	if len(row) < 9 || !strings.Contains(row[1], title) {
		t.Fatalf("first issued row = %q, want the outcome just issued (%s)", row, title)
	}
	masked := string(learner)[:6] + "********" + string(learner)[14:]
	if !strings.Contains(row[0], "李建国") || !strings.Contains(row[0], masked) || strings.Contains(row[0], string(learner)) {
		t.Errorf("learner cell = %q, want 李建国 and %s (never the full ID)", row[0], masked)
	}
	if row[4] != "1.5" || row[2] != "社区教育" || !strings.Contains(row[8], "有效") {
		t.Errorf("issued row = %q, want credits 1.5, category 社区教育, status 有效", row)
	}
	total := len(rows())

	// Searching by part of the learner's name keeps only that learner's rows.
	b.do("search by learner",
		chromedp.SendKeys(chromedp.CSS(`#issued-search [name="learner"]`), "建国"),
		chromedp.Click(chromedp.CSS(`#issued-search button[type="submit"]`)))
	b.waitJS("search applied", `[...document.querySelectorAll('#issued-list tbody tr')].every(r => r.cells[0].innerText.includes('李建国'))`)
	if got := rows(); len(got) == 0 || len(got) >= total || !strings.Contains(got[0][1], title) {
		t.Errorf("rows for 建国 = %q, want 李建国's outcomes only (fewer than all %d), newest first", got, total)
	}
	b.do("search by course code",
		chromedp.Click(chromedp.CSS(`#issued-search button[type="reset"]`)),
		chromedp.SendKeys(chromedp.CSS(`#issued-search [name="courseCode"]`), "no-such-code"),
		chromedp.Click(chromedp.CSS(`#issued-search button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issued-list p.empty`)))
	if got := b.text(`#issued-list p.empty`); got != "没有符合条件的成果。" {
		t.Errorf("no match says %q", got)
	}
	b.do("clear the search",
		chromedp.Click(chromedp.CSS(`#issued-search button[type="reset"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issued-list table`)))

	// Revoking names the learner and the outcome, asks for a reason in a
	// dialog and marks the row revoked.
	b.do("revoke",
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#issued-list tbody tr')].find(r => r.innerText.includes('`+title+`')).querySelector('button')`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] textarea`)))
	if what := b.text(`dialog[open] #revoke-what`); !strings.Contains(what, "李建国") || !strings.Contains(what, masked) || !strings.Contains(what, title) {
		t.Errorf("revoke dialog says %q, want the learner (李建国, %s) and the outcome %s", what, masked, title)
	}
	b.do("revoke reason",
		chromedp.SendKeys(chromedp.CSS(`dialog[open] textarea`), "登记错误"),
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)),
	)
	b.waitJS("row revoked", `[...document.querySelectorAll('#issued-list tbody tr')].some(r => r.innerText.includes('`+title+`') && r.innerText.includes('已撤销') && r.innerText.includes('李建国'))`)
}

func TestBrowserStaffImportsCSVAndSeesRowErrors(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432")
	csvPath := t.TempDir() + "/outcomes.csv"
	csv := "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n" +
		string(learner) + ",李建国,community,社区书法入门,CC-CAL-09,24,88,2025-10-01\n" +
		string(learner) + ",李建国,community,社区园艺,CC-GAR-09,很多,90,2025-10-02\n" +
		string(learner) + ",李建国,community,社区茶艺,CC-TEA-09,,90,2025-10-03\n" +
		string(learner) + ",李建国,community,社区书法入门,CC-CAL-09,24,88,2025-10-01\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("import page", chromedp.Click(chromedp.CSS(`#nav a[href="#/import"]`)), chromedp.WaitVisible(chromedp.CSS(`#import-form`)))
	// Submitting with no file is caught before any upload.
	b.do("submit without a file", chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form [data-field="file"] .field-error`)))
	b.do("upload",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{csvPath}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-state[data-state="done"]`)))
	count := func(k string) string { return b.text(`[data-count="` + k + `"] dd`) }
	if count("ok") != "1" || count("failed") != "2" || count("duplicates") != "1" {
		t.Errorf("counts ok=%s failed=%s duplicates=%s, want 1, 2, 1", count("ok"), count("failed"), count("duplicates"))
	}
	if got := b.text(`#import-state`); !strings.Contains(got, "4 / 4") {
		t.Errorf("progress = %q, want 4 / 4 rows", got)
	}
	if got := b.text(`#import-duplicates`); !strings.Contains(got, "第 5 行") {
		t.Errorf("duplicates say %q, want row 5 listed", got)
	}
	if v := browserRun(b, "progress value", chromedp.Evaluate[float64](`document.getElementById('import-progress-bar').position`)); v != 1 {
		t.Errorf("progress bar at %v, want full", v)
	}
	rows := browserRun(b, "error rows", chromedp.Evaluate[[]issuedRow](
		`[...document.querySelectorAll('#import-errors tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`))
	if len(rows) != 2 || rows[0][0] != "3" || rows[0][1] != "学时" || rows[0][2] != "“学时”应为数字" ||
		rows[1][0] != "4" || rows[1][2] != "“学时”必须填写" {
		t.Errorf("row errors = %q, want row 3 学时 应为数字 and row 4 学时 必须填写", rows)
	}
	if !browserRun(b, "failed rows button", chromedp.Evaluate[bool](`!!document.getElementById('import-failed-csv')`)) {
		t.Error("no button to download the failed rows")
	}
	b.screenshot("import")

	// The result survives a reload: the history lists the upload by file
	// name and uploader, and opens its result again.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#import-history table`)))
	hist := b.text(`#import-history tbody tr`)
	if !strings.Contains(hist, "outcomes.csv") || !strings.Contains(hist, "cc.registrar") {
		t.Errorf("history row = %q, want the file name and the uploader", hist)
	}
	b.do("open from history", chromedp.Click(chromedp.CSS(`#import-history tbody tr button`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-errors tbody tr`)))

	// A picture chosen by mistake is refused in plain words.
	png := t.TempDir() + "/photo.csv"
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("upload a picture",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{png}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form [data-field="file"] .field-error`)))
	if msg := b.text(`#import-form [data-field="file"] .field-error`); !strings.Contains(msg, "图片") || strings.Contains(msg, "PNG,") || strings.Contains(msg, "not CSV") {
		t.Errorf("picture refused with %q, want a plain Chinese message", msg)
	}
	// A column the import does not know is named, in Chinese.
	odd := t.TempDir() + "/odd.csv"
	if err := os.WriteFile(odd, []byte("身份证号,姓名,类别,成果名称,学时,完成日期,颜色\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("upload an unknown column",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{odd}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
	b.waitJS("column named", `document.querySelector('#import-form [data-field="file"] .field-error').innerText.includes('颜色')`)
	if msg := b.text(`#import-form [data-field="file"] .field-error`); !strings.Contains(msg, "第 7 列") || strings.Contains(msg, "unknown") {
		t.Errorf("unknown column refused with %q, want it named in Chinese with its position", msg)
	}

	// The downloadable template is UTF-8 with a BOM; its example row is
	// never imported.
	res, err := http.Get(base + "/template-outcomes.csv")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(tmpl, []byte("\xef\xbb\xbf身份证号,姓名,类别,成果名称,课程代码,学时,学分,成绩,等第,是否通过,完成日期,有效期至,级别")) {
		t.Errorf("template starts %q, want a BOM and the Chinese headers", tmpl[:min(len(tmpl), 80)])
	}
	staff := apiToken(t, base, "cc.registrar", demoStaffPassword)
	var job struct {
		ID     string `json:"id"`
		State  string `json:"state"`
		OK     int    `json:"ok"`
		Failed int    `json:"failed"`
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes/import", staff, "text/csv", tmpl, http.StatusAccepted, &job)
	for deadline := time.Now().Add(stepTimeout); job.State != "done" && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		apiJSON(t, http.MethodGet, base+"/api/v1/imports/"+job.ID, staff, "", nil, http.StatusOK, &job)
	}
	if job.State != "done" || job.OK != 0 || job.Failed != 0 {
		t.Errorf("template import = %+v, want its example row skipped, nothing banked", job)
	}
}
