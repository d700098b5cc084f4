package probe

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type me struct {
	InstitutionID string `json:"institutionId"`
}

func (c *client) me(ctx context.Context, token string) (me, error) {
	var m me
	r, err := c.do(ctx, http.MethodGet, "/api/v1/me", token, nil, nil)
	if err != nil {
		return m, err
	}
	if r.status != http.StatusOK {
		return m, fmt.Errorf("set-up: /me: %s", r)
	}
	return m, r.decode(&m)
}

// checkSimulationAggregatesOnly has a converting institution write a draft
// rule matching a course another institution issued, and simulate it: the
// answer must not carry that outcome.
func checkSimulationAggregatesOnly(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	issuer, err := c.mustLogin(ctx, "cc.registrar", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	r, err := c.do(ctx, http.MethodGet, "/api/v1/institutions/me/outcomes?limit=50", issuer.AccessToken, nil, nil)
	if err != nil || r.status != http.StatusOK {
		return "", "", fmt.Errorf("set-up: issued outcomes: %v %s", err, r)
	}
	var issued struct {
		Items []struct{ ID, Title, CourseCode, AccountID string }
	}
	if err := r.decode(&issued); err != nil {
		return "", "", err
	}
	if len(issued.Items) == 0 {
		return "", "", fmt.Errorf("set-up: the community college has issued nothing")
	}
	target := issued.Items[0]

	converter, err := c.mustLogin(ctx, "ou.reviewer", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	who, err := c.me(ctx, converter.AccessToken)
	if err != nil {
		return "", "", err
	}
	r, err = c.do(ctx, http.MethodPost, "/api/v1/rules", converter.AccessToken, map[string]any{
		"code": "PROBE-" + strings.ToUpper(randomSuffix()[:6]), "name": "核查用草稿规则", "institutionId": who.InstitutionID,
		"purpose": "credit", "target": map[string]any{"credits": 1},
		"condition": map[string]any{"op": "all", "items": []any{map[string]any{"courseCode": target.CourseCode}}},
		"award":     map[string]any{"mode": "fixed", "credits": 1}, "approval": "manual",
		"effectiveFrom": time.Now().Format("2006-01-02"),
	}, nil)
	if err != nil || r.status != http.StatusCreated {
		return "", "", fmt.Errorf("set-up: draft rule: %v %s", err, r)
	}
	var rule struct{ ID string }
	if err := r.decode(&rule); err != nil {
		return "", "", err
	}
	r, err = c.do(ctx, http.MethodPost, "/api/v1/rules/"+rule.ID+"/simulate", converter.AccessToken, nil, nil)
	if err != nil {
		return "", "", err
	}
	if r.status != http.StatusOK {
		return "", "", fmt.Errorf("simulate answered %s", r)
	}
	var leaks []string
	for what, s := range map[string]string{"outcome id": target.ID, "title": target.Title, "account id": target.AccountID} {
		if s != "" && bytes.Contains(r.body, []byte(s)) {
			leaks = append(leaks, what)
		}
	}
	detail := fmt.Sprintf("draft rule on %s issued by another institution", target.CourseCode)
	if len(leaks) > 0 {
		return Open, detail + ": the simulation shows the learner's " + strings.Join(leaks, ", "), nil
	}
	return Fixed, detail + ": aggregates only", nil
}

// checkManagerGrantsOnlyOwn has a manager holding issue+manage create a
// colleague with the review permission.
func checkManagerGrantsOnlyOwn(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	mgr, err := c.mustLogin(ctx, "cc.registrar", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	who, err := c.me(ctx, mgr.AccessToken)
	if err != nil {
		return "", "", err
	}
	r, err := c.do(ctx, http.MethodPost, "/api/v1/institutions/"+who.InstitutionID+"/staff", mgr.AccessToken,
		map[string]any{"username": "probe." + randomSuffix(), "password": "Colleague-" + randomSuffix(), "perms": []string{"review"}}, nil)
	if err != nil {
		return "", "", err
	}
	detail := fmt.Sprintf("manager with issue+manage creates a reviewer: %d", r.status)
	if r.status == http.StatusCreated || r.status == http.StatusOK {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}

// checkHelperAnswersAlike names as helper an account an institution opened
// (never claimed) and a person the bank does not know: the answers must not
// tell them apart.
func checkHelperAnswersAlike(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	learner, err := c.mustLogin(ctx, withCheckDigit(demoLearnerFirst17), p.cfg.LearnerPassword)
	if err != nil {
		return "", "", err
	}
	ask := func(id, name string) (response, error) {
		return c.do(ctx, http.MethodPost, "/api/v1/learners/me/helpers", learner.AccessToken,
			map[string]any{"nationalId": id, "name": name, "days": 30}, nil)
	}
	unclaimed, err := ask(withCheckDigit(demoUnclaimedFirst17), demoUnclaimedName)
	if err != nil {
		return "", "", err
	}
	unknown, err := ask(randomNationalID(), "钱多多")
	if err != nil {
		return "", "", err
	}
	detail := fmt.Sprintf("unclaimed account: %d %s; unknown person: %d %s", unclaimed.status, unclaimed.errorCode(), unknown.status, unknown.errorCode())
	if unclaimed.status != unknown.status || unclaimed.errorCode() != unknown.errorCode() || message(unclaimed) != message(unknown) {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}

func message(r response) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = r.decode(&e)
	return e.Error.Message
}

// outcome deposits one community outcome for the demo learner.
func (p *prober) deposit(ctx context.Context, c *client, token string, extra map[string]any) (response, error) {
	body := map[string]any{
		"learner":  map[string]string{"nationalId": withCheckDigit(demoLearnerFirst17), "name": demoLearnerName},
		"category": "community", "title": "核查用课程", "courseCode": "PROBE-" + randomSuffix()[:6],
		"hours": 16, "result": map[string]any{"passed": true}, "completedOn": "2024-01-10",
	}
	for k, v := range extra {
		body[k] = v
	}
	return c.do(ctx, http.MethodPost, "/api/v1/outcomes", token, body, nil)
}

// checkOutcomeBeforeBirth deposits an outcome completed in 1955 for a
// learner born in 1962.
func checkOutcomeBeforeBirth(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	staff, err := c.mustLogin(ctx, "cc.registrar", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	r, err := p.deposit(ctx, c, staff.AccessToken, map[string]any{"completedOn": "1955-06-01"})
	if err != nil {
		return "", "", err
	}
	detail := fmt.Sprintf("completed 1955-06-01, learner born 1962-03-15: %d", r.status)
	if r.status != http.StatusUnprocessableEntity || !bytes.Contains(r.body, []byte("completedOn")) {
		return Open, detail, nil
	}
	return Fixed, detail + ", naming completedOn", nil
}

// checkCreditsBoundedByHours states 60 credits for a one-hour course.
func checkCreditsBoundedByHours(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	staff, err := c.mustLogin(ctx, "cc.registrar", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	r, err := p.deposit(ctx, c, staff.AccessToken, map[string]any{"hours": 1, "credits": 60})
	if err != nil {
		return "", "", err
	}
	detail := fmt.Sprintf("60 credits stated for 1 hour: %d", r.status)
	if r.status != http.StatusUnprocessableEntity {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}
