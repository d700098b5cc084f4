package probe

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// checkSessionsEnd changes the demo learner's password, and resets and
// re-claims the account, each time using the sessions made just before in
// the same second; they must all be refused. The password ends as it began.
func checkSessionsEnd(ctx context.Context, p *prober) (Verdict, string, error) {
	id := withCheckDigit(demoLearnerFirst17)
	original, temporary := p.cfg.LearnerPassword, "Probe-"+randomSuffix()
	c := p.fresh()
	defer c.close()
	var open []string
	const rounds = 2
	for i := range rounds {
		old, err := c.mustLogin(ctx, id, original)
		if err != nil {
			return "", "", err
		}
		r, err := c.do(ctx, http.MethodPost, "/api/v1/me/password", old.AccessToken,
			map[string]string{"currentPassword": original, "newPassword": temporary}, nil)
		if err != nil {
			return "", "", err
		}
		if r.status != http.StatusOK && r.status != http.StatusNoContent {
			return "", "", fmt.Errorf("set-up: change password: %s", r)
		}
		if r, err := c.refresh(ctx, old.RefreshToken); err == nil && r.status == http.StatusOK {
			open = append(open, fmt.Sprintf("round %d: refresh token from before the change answered 200", i+1))
		}
		// Change it back, through a session made after the change.
		now, err := c.mustLogin(ctx, id, temporary)
		if err != nil {
			return "", "", err
		}
		r, err = c.do(ctx, http.MethodPost, "/api/v1/me/password", now.AccessToken,
			map[string]string{"currentPassword": temporary, "newPassword": original}, nil)
		if err != nil || (r.status != http.StatusOK && r.status != http.StatusNoContent) {
			return "", "", fmt.Errorf("set-up: restore password: %v %s", err, r)
		}
	}

	// Front-desk reset, then the resident claims the account again.
	admin, err := c.mustLogin(ctx, "admin", p.cfg.AdminPassword)
	if err != nil {
		return "", "", err
	}
	// Two sessions from before the reset: one is tried after the reset, the
	// other after the resident has claimed the account again.
	old1, err := c.mustLogin(ctx, id, original)
	if err != nil {
		return "", "", err
	}
	old2, err := c.mustLogin(ctx, id, original)
	if err != nil {
		return "", "", err
	}
	r, err := c.do(ctx, http.MethodPost, "/api/v1/learners/lookup", admin.AccessToken, map[string]string{"nationalId": id}, nil)
	if err != nil || r.status != http.StatusOK {
		return "", "", fmt.Errorf("set-up: lookup: %v %s", err, r)
	}
	var acc struct {
		ID string `json:"id"`
	}
	if err := r.decode(&acc); err != nil {
		return "", "", err
	}
	if r, err = c.do(ctx, http.MethodPost, "/api/v1/learners/"+acc.ID+"/reset", admin.AccessToken, nil, nil); err != nil || r.status != http.StatusOK {
		return "", "", fmt.Errorf("set-up: reset: %v %s", err, r)
	}
	if r, err := c.refresh(ctx, old1.RefreshToken); err == nil && r.status == http.StatusOK {
		open = append(open, "refresh token from before a front-desk reset answered 200")
	}
	r, err = c.do(ctx, http.MethodPost, "/api/v1/learners", "",
		map[string]string{"nationalId": id, "name": demoLearnerName, "password": original}, nil)
	if err != nil || (r.status != http.StatusOK && r.status != http.StatusCreated) {
		return "", "", fmt.Errorf("set-up: claim again: %v %s", err, r)
	}
	if r, err := c.refresh(ctx, old2.RefreshToken); err == nil && r.status == http.StatusOK {
		open = append(open, "refresh token from before the reset and claim answered 200")
	}
	detail := fmt.Sprintf("%d password changes and a reset + claim, old refresh token tried each time", rounds)
	if len(open) > 0 {
		return Open, detail + ": " + strings.Join(open, "; "), nil
	}
	return Fixed, detail + ": all refused", nil
}

// checkTargetedLockout sends twelve wrong passwords for one staff user,
// each from its own address, then signs in correctly from a thirteenth.
func checkTargetedLockout(ctx context.Context, p *prober) (Verdict, string, error) {
	if !p.loopback {
		return Skipped, "needs the bank on a loopback address", nil
	}
	const user = "su.registrar"
	for range 12 {
		c := p.fresh()
		_, _, err := c.login(ctx, user, "wrong-"+randomSuffix())
		c.close()
		if err != nil {
			return "", "", err
		}
	}
	c := p.fresh()
	defer c.close()
	_, r, err := c.login(ctx, user, p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	detail := fmt.Sprintf("12 wrong passwords from 12 addresses, then the right one from another: %d", r.status)
	if r.status != http.StatusOK {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}

// checkUsernameNormalisation signs in as "admİn" (U+0130) with the admin's
// password: a lookup that lower-cases would find the admin.
func checkUsernameNormalisation(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	var open []string
	for _, name := range []string{"adm\u0130n", "ADM\u0130N"} {
		_, r, err := c.login(ctx, name, p.cfg.AdminPassword)
		if err != nil {
			return "", "", err
		}
		if r.status == http.StatusOK {
			open = append(open, fmt.Sprintf("%q signed in as the admin", name))
		}
	}
	if len(open) > 0 {
		return Open, strings.Join(open, "; "), nil
	}
	return Fixed, "look-alike usernames do not reach the admin", nil
}

// checkSuspensionEndsTokens opens an institution with one staff user and an
// API client, suspends and reactivates it, then tries their old tokens.
func checkSuspensionEndsTokens(ctx context.Context, p *prober) (Verdict, string, error) {
	c := p.fresh()
	defer c.close()
	admin, err := c.mustLogin(ctx, "admin", p.cfg.AdminPassword)
	if err != nil {
		return "", "", err
	}
	suffix := randomSuffix()
	r, err := c.do(ctx, http.MethodPost, "/api/v1/institutions", admin.AccessToken, map[string]any{
		"name": "核查用培训机构" + suffix[:4], "kind": "training_provider", "region": "示范区",
		"capabilities": []string{"issue"}, "categories": []string{"other"},
	}, nil)
	if err != nil || r.status != http.StatusCreated {
		return "", "", fmt.Errorf("set-up: create institution: %v %s", err, r)
	}
	var inst struct{ ID, ClientID, ClientSecret string }
	if err := r.decode(&inst); err != nil {
		return "", "", err
	}
	username, password := "probe."+suffix, "Staff-"+randomSuffix()
	r, err = c.do(ctx, http.MethodPost, "/api/v1/institutions/"+inst.ID+"/staff", admin.AccessToken,
		map[string]any{"username": username, "password": password, "perms": []string{"issue"}}, nil)
	if err != nil || r.status != http.StatusCreated {
		return "", "", fmt.Errorf("set-up: create staff: %v %s", err, r)
	}
	staff, err := c.mustLogin(ctx, username, password)
	if err != nil {
		return "", "", err
	}
	r, err = c.do(ctx, http.MethodPost, "/api/v1/auth/token", "", map[string]string{"clientId": inst.ClientID, "clientSecret": inst.ClientSecret}, nil)
	if err != nil || r.status != http.StatusOK {
		return "", "", fmt.Errorf("set-up: client token: %v %s", err, r)
	}
	var client tokens
	if err := r.decode(&client); err != nil {
		return "", "", err
	}
	for _, status := range []string{"suspended", "active"} {
		r, err := c.do(ctx, http.MethodPost, "/api/v1/institutions/"+inst.ID+"/status", admin.AccessToken, map[string]string{"status": status}, nil)
		if err != nil || r.status != http.StatusOK {
			return "", "", fmt.Errorf("set-up: set status %s: %v %s", status, err, r)
		}
	}
	var open []string
	if r, err := c.refresh(ctx, staff.RefreshToken); err == nil && r.status == http.StatusOK {
		open = append(open, "staff refresh token works again")
	}
	if r, err := c.do(ctx, http.MethodGet, "/api/v1/me", staff.AccessToken, nil, nil); err == nil && r.status == http.StatusOK {
		open = append(open, "staff access token works again")
	}
	if r, err := c.do(ctx, http.MethodGet, "/api/v1/me", client.AccessToken, nil, nil); err == nil && r.status == http.StatusOK {
		open = append(open, "API client access token works again")
	}
	if len(open) > 0 {
		return Open, "after suspend + reactivate: " + strings.Join(open, "; "), nil
	}
	return Fixed, "after suspend + reactivate the old staff and client tokens are refused", nil
}

// checkCommonPasswords registers new residents with very common passwords
// and with their own national ID as the password.
func checkCommonPasswords(ctx context.Context, p *prober) (Verdict, string, error) {
	var open []string
	for _, pw := range []string{"1234567890", "qwertyuiop", "password123", ""} {
		c := p.fresh()
		id := randomNationalID()
		if pw == "" {
			pw = id
		}
		r, err := c.do(ctx, http.MethodPost, "/api/v1/learners", "",
			map[string]string{"nationalId": id, "name": "核查", "password": pw}, nil)
		c.close()
		if err != nil {
			return "", "", err
		}
		if r.status == http.StatusCreated || r.status == http.StatusOK {
			shown := pw
			if pw == id {
				shown = "the national ID"
			}
			open = append(open, fmt.Sprintf("%s accepted", shown))
		}
	}
	if len(open) > 0 {
		return Open, strings.Join(open, "; "), nil
	}
	return Fixed, "common passwords and the national ID as password are refused", nil
}
