package main

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/chromedp/chromedp"
)

// Checks that a page speaks to its reader: no internal codes, condition
// paths or category codes, and the catalogue's text in the page's own
// language. Names and course titles are data and may be in either script.

var (
	// internalCode is a dotted lower-case code such as match.ok or
	// conversion.decided; a web address or file name is not one.
	internalCode = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)*\.[a-z_]+(?:\.[a-z_]+)*\b`)
	jsonPath     = regexp.MustCompile(`\w+\[\d+\]|\bcondition\.`)
	// conditionWord is the root of a condition path, which the Chinese
	// page must not show even alone.
	conditionWord = regexp.MustCompile(`\bcondition\b`)
	categoryCode  = regexp.MustCompile(`\b(academic|vocational|certificate|community|senior|online|other)\b`)
	// snakeCode is a code such as not_eligible or needs_review; statusCode
	// the one-word codes, which only the Chinese page must not show.
	snakeCode  = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
	statusCode = regexp.MustCompile(`\b(pending|approved|rejected|revoked|reverse|earmark|release|deposit|spend)\b`)
	// englishRun is three or more English words in a row: a sentence, not
	// a format's name or a code.
	englishRun    = regexp.MustCompile(`[A-Za-z]{2,}(?:[ ,'’]+[A-Za-z]{2,}){2,}`)
	han           = regexp.MustCompile(`\p{Han}`)
	webAddress    = regexp.MustCompile(`(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:json|csv|pdf|png|jwt|org|com|cn|gov)\b`)
	chinesePunct  = regexp.MustCompile(`[：；。]`)
	quotedExample = regexp.MustCompile(`“[^”]*”`)
)

// pageTexts is what the page shows under main: its visible text, and the
// text of every catalogue-worded element with the data put in it removed.
type pageTexts struct {
	Visible   string   `json:"visible"`
	Catalogue []string `json:"catalogue"`
}

const pageTextsJS = `(() => {
  const main = document.querySelector('main');
  const strings = (v, out) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
    return out;
  };
  const catalogue = [...main.querySelectorAll('[data-i18n]')].filter((el) => el.checkVisibility()).map((el) => {
    let s = el.textContent;
    let args = {};
    try { args = JSON.parse(el.dataset.i18nArgs || '{}'); } catch { args = {}; }
    for (const d of strings(args, []).sort((a, b) => b.length - a.length)) if (d) s = s.split(d).join(' ');
    return s;
  });
  return JSON.stringify({ visible: main.innerText, catalogue });
})()`

// assertPlainText checks the page as it stands in lang ("zh" or "en").
func (b *browser) assertPlainText(lang, where string) {
	b.t.Helper()
	raw := browserRun(b, "page text", chromedp.Evaluate[string](pageTextsJS))
	var p pageTexts
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		b.t.Fatalf("%s: page text: %v", where, err)
	}
	visible := webAddress.ReplaceAllString(p.Visible, " ")
	visible = strings.NewReplacer("e.g.", " ", "i.e.", " ").Replace(visible)
	for _, re := range []*regexp.Regexp{internalCode, jsonPath, snakeCode} {
		if m := re.FindAllString(visible, 3); len(m) > 0 {
			b.t.Errorf("%s (%s): shows internal text %q in:\n%s", where, lang, m, excerpt(visible, m[0]))
		}
	}
	switch lang {
	case "zh":
		for _, re := range []*regexp.Regexp{categoryCode, statusCode, conditionWord} {
			if m := re.FindAllString(visible, 3); len(m) > 0 {
				b.t.Errorf("%s (zh): shows codes %q in:\n%s", where, m, excerpt(visible, m[0]))
			}
		}
		for _, s := range p.Catalogue {
			if m := englishRun.FindString(s); m != "" {
				b.t.Errorf("%s (zh): English sentence %q in the Chinese page", where, m)
			}
		}
	case "en":
		for _, s := range p.Catalogue {
			// A quoted example of Chinese input (“书法”) is the reader's data.
			s = quotedExample.ReplaceAllString(s, " ")
			if han.MatchString(s) || chinesePunct.MatchString(s) {
				b.t.Errorf("%s (en): Chinese text %q in the English page", where, strings.TrimSpace(s))
			}
		}
	}
}

// assertPlainBoth checks the page in Chinese, switches to English, checks
// again and switches back.
func (b *browser) assertPlainBoth(where string) {
	b.t.Helper()
	b.assertPlainText("zh", where)
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English page", `document.documentElement.lang === 'en'`)
	b.assertPlainText("en", where)
	b.do("back to Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("Chinese page", `document.documentElement.lang === 'zh-CN'`)
}

func excerpt(s, near string) string {
	i := strings.Index(s, near)
	if i < 0 {
		return ""
	}
	from, to := max(0, i-80), min(len(s), i+len(near)+80)
	for from > 0 && !isRuneStart(s[from]) {
		from--
	}
	for to < len(s) && !isRuneStart(s[to]) {
		to++
	}
	return "…" + s[from:to] + "…"
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }
