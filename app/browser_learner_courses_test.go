package main

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLearnerSuggestedCourseShowsProviderAndCredits: each course
// suggested on Next steps says how many credits completing it banks and how
// to reach its provider to enrol (address, a telephone link, the web site);
// the public catalogue shows the credits too, not "—".
func TestBrowserLearnerSuggestedCourseShowsProviderAndCredits(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.open("next")
	first := `#pathways [data-rule-code="OU-EXEMPT-CS101"] .suggestion[data-rank="1"] .course-item`
	b.do("suggestions", chromedp.WaitVisible(chromedp.CSS(first)))
	got := b.text(first)
	for _, want := range []string{"社区英语（中级）", "学完可存入 2.5 学分", "报名咨询", "示范区文化路 18 号", "010-6512 3401", "机构网站"} {
		if !strings.Contains(got, want) {
			t.Errorf("first suggestion lacks %q: %q", want, got)
		}
	}
	if href := browserRun(b, "phone link", chromedp.Evaluate[string](`document.querySelector('`+first+` .contact-phone a').getAttribute('href')`)); href != "tel:01065123401" {
		t.Errorf("phone link = %q", href)
	}
	b.assertPlainBoth("next steps with contacts")

	b.signOut()
	b.open("courses")
	b.do("search", chromedp.WaitVisible(chromedp.CSS(`#course-search`)),
		chromedp.SendKeys(chromedp.CSS(`#course-search [name="q"]`), "社区英语"),
		chromedp.Click(chromedp.CSS(`#course-search button[type="submit"]`)))
	b.waitJS("results", `document.querySelector('#course-results').textContent.includes('社区英语（中级）')`)
	row := browserRun(b, "row", chromedp.Evaluate[string](`[...document.querySelectorAll('#course-results tbody tr')].find((r) => r.textContent.includes('社区英语（中级）')).innerText`))
	if !strings.Contains(row, "2.5") || strings.Contains(row, "—\t") {
		t.Errorf("catalogue row = %q, want the 2.5 credits it banks", row)
	}
	b.assertPlainBoth("course search")
}

// TestReadmeCountsDemoLearnerLogins: the README's demo section says how
// many residents the demo prints logins for, and that is how many it does.
func TestReadmeCountsDemoLearnerLogins(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\w+) residents with outcomes \((\w+) with logins`).FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatal("README does not say how many demo residents have logins")
	}
	words := map[string]int{"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
	residents, logins := 0, 0
	for _, l := range demoLearners {
		residents++
		if l.claimed {
			logins++
		}
	}
	if words[m[1]] != residents || words[m[2]] != logins {
		t.Errorf("README: %s residents, %s with logins; the demo has %d and prints %d learner logins", m[1], m[2], residents, logins)
	}
}

// TestBrowserLearnerSeesContactTheAdminEntered: the contact an admin types
// when registering an institution is what learners are shown.
func TestBrowserLearnerSeesContactTheAdminEntered(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#institution-form [name="` + name + `"]`) }
	b.do("register an institution with its contact", chromedp.Click(chromedp.CSS(`#nav a[href="#/institutions"]`)),
		chromedp.WaitVisible(f("name")),
		chromedp.SendKeys(f("name"), "示范区社区学习中心"),
		chromedp.SendKeys(f("address"), "示范区和平街 5 号"),
		chromedp.SendKeys(f("phone"), "010-6512 3499"),
		chromedp.SendKeys(f("website"), "https://learn.example.org/"),
		chromedp.Click(chromedp.CSS(`#institution-form input[name="categories"][value="community"]`)),
		chromedp.Click(chromedp.CSS(`#institution-form button[type="submit"]`)))
	b.waitJS("listed", `document.querySelector('main').innerText.includes('示范区社区学习中心')`)
	var list struct {
		Items []struct {
			Name    string `json:"name"`
			Address string `json:"address"`
			Phone   string `json:"phone"`
			Website string `json:"website"`
		} `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/institutions?limit=200", "", "", nil, http.StatusOK, &list)
	found := false
	for _, i := range list.Items {
		if i.Name == "示范区社区学习中心" {
			found = i.Address == "示范区和平街 5 号" && i.Phone == "010-6512 3499" && i.Website == "https://learn.example.org/"
		}
	}
	if !found {
		t.Errorf("the institution's contact was not stored as entered: %+v", list.Items)
	}
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}
