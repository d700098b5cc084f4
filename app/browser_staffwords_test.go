package main

import "testing"

// Each staff role walks every screen it can reach, in both languages, and
// meets only plain words.

func TestBrowserRegistrarPagesSpeakPlainly(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.visitAllInBothLanguages(nil, nil)
}

func TestBrowserReviewerPagesSpeakPlainly(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	b.visitAllInBothLanguages(nil, nil)
}

func TestBrowserManagerPagesSpeakPlainly(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("hv.reviewer", demoStaffPassword)
	b.visitAllInBothLanguages(nil, nil)
}

func TestBrowserAdminPagesSpeakPlainly(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.visitAllInBothLanguages(nil, nil)
}
