package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// TestScreenshots writes each role's main page, at desktop and phone width,
// as PNG files for the README. It runs only when CREDITBANK_SCREENSHOTS
// names the directory to write to (e.g. CREDITBANK_SCREENSHOTS=docs), so
// ordinary test runs leave the committed pictures alone.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("CREDITBANK_SCREENSHOTS")
	if dir == "" {
		t.Skip("set CREDITBANK_SCREENSHOTS to the directory for the pictures")
	}
	if !filepath.IsAbs(dir) {
		// go test runs in the package directory; a relative path means the
		// repository's.
		dir = filepath.Join("..", dir)
	}
	base, _ := startServer(t)
	// The reviewer's page shows an application waiting, with its evidence.
	applicant, _ := domain.CompleteNationalID("11010519880722432")
	applicantTok := apiToken(t, base, string(applicant), demoLearnerPassword)
	var rules struct {
		Items []struct{ ID, Code string } `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/rules?status=published", applicantTok, "", nil, http.StatusOK, &rules)
	for _, r := range rules.Items {
		if r.Code == "OU-EXEMPT-CS101" {
			body, _ := json.Marshal(map[string]string{"ruleId": r.ID})
			apiJSON(t, http.MethodPost, base+"/api/v1/conversions", applicantTok, "application/json", body, http.StatusCreated, nil)
		}
	}
	roles := []struct {
		name, username, password, path string
	}{
		{"learner", demoLearnerID(t), demoLearnerPassword, "record"},
		{"registrar", "cc.registrar", demoStaffPassword, "issued"},
		{"reviewer", "ou.reviewer", demoStaffPassword, "review"},
		{"manager", "hv.reviewer", demoStaffPassword, "rules"},
		{"admin", "admin", demoAdminPassword, "stats"},
	}
	sizes := []struct {
		width, height int64
	}{{1280, 900}, {375, 812}}
	for _, r := range roles {
		b := openBrowser(t, base)
		b.signIn(r.username, r.password)
		for _, s := range sizes {
			b.do("viewport", chromedp.EmulateViewport(s.width, s.height))
			b.open(r.path)
			b.waitJS("settled "+r.path, `!document.body.classList.contains('is-busy') && !document.querySelector('main .loading')`)
			png := browserRun(b, "capture "+r.name, chromedp.CaptureScreenshot())
			name := filepath.Join(dir, "screen-"+r.name+"-"+strconv.FormatInt(s.width, 10)+".png")
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", name, len(png))
		}
	}
}
