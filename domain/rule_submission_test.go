package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

func TestRuleSubmissionLifecycle(t *testing.T) {
	later := engNow.Add(time.Hour)
	tests := []struct {
		name  string
		setup func(t *testing.T, r *domain.Rule)
		act   func(r *domain.Rule) error
		want  error
		state domain.SubmissionState
	}{
		{"a draft is submitted", nil,
			func(r *domain.Rule) error { return r.Submit("mgr", later) }, nil, domain.SubmissionSubmitted},
		{"submitting twice is a conflict", submitted,
			func(r *domain.Rule) error { return r.Submit("mgr", later) }, domain.ErrConflict, domain.SubmissionSubmitted},
		{"a published rule is not submitted", published,
			func(r *domain.Rule) error { return r.Submit("mgr", later) }, domain.ErrConflict, domain.SubmissionNone},
		{"a submitted draft is returned with a note", submitted,
			func(r *domain.Rule) error { return r.ReturnDraft("admin", "  请写明免修课程  ", later) }, nil, domain.SubmissionReturned},
		{"a return needs a note", submitted,
			func(r *domain.Rule) error { return r.ReturnDraft("admin", "  ", later) }, domain.ErrInvalid, domain.SubmissionSubmitted},
		{"a return's note is bounded", submitted,
			func(r *domain.Rule) error {
				return r.ReturnDraft("admin", strings.Repeat("长", domain.MaxReturnNote+1), later)
			}, domain.ErrInvalid, domain.SubmissionSubmitted},
		{"a draft not submitted cannot be returned", nil,
			func(r *domain.Rule) error { return r.ReturnDraft("admin", "改", later) }, domain.ErrConflict, domain.SubmissionNone},
		{"a returned draft is submitted again", returned,
			func(r *domain.Rule) error { return r.Submit("mgr", later) }, nil, domain.SubmissionSubmitted},
		{"publishing ends the submission", submitted,
			func(r *domain.Rule) error { return r.Publish(later) }, nil, domain.SubmissionNone},
		{"editing takes a draft out of the queue", submitted,
			func(r *domain.Rule) error { return r.UpdateDraft(*r) }, nil, domain.SubmissionNone},
		{"editing keeps a returned draft's note", returned,
			func(r *domain.Rule) error { return r.UpdateDraft(*r) }, nil, domain.SubmissionReturned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := engDraft(t)
			if tc.setup != nil {
				tc.setup(t, &r)
			}
			err := tc.act(&r)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if r.Submission.State != tc.state {
				t.Errorf("state = %q, want %q", r.Submission.State, tc.state)
			}
		})
	}
	r := engDraft(t)
	submitted(t, &r)
	if err := r.ReturnDraft("admin", " 请写明免修课程 ", later); err != nil {
		t.Fatal(err)
	}
	if r.Submission.By != "admin" || r.Submission.Note != "请写明免修课程" || r.Submission.At == nil || !r.Submission.At.Equal(later) {
		t.Errorf("returned submission = %+v", r.Submission)
	}
	if n := r.NextVersion(later); n.Submission.State != domain.SubmissionNone {
		t.Errorf("a new version starts %q, want no submission", n.Submission.State)
	}
}

func submitted(t *testing.T, r *domain.Rule) {
	t.Helper()
	if err := r.Submit("mgr", engNow); err != nil {
		t.Fatal(err)
	}
}

func returned(t *testing.T, r *domain.Rule) {
	t.Helper()
	submitted(t, r)
	if err := r.ReturnDraft("admin", "请补充说明", engNow); err != nil {
		t.Fatal(err)
	}
}

func published(t *testing.T, r *domain.Rule) {
	t.Helper()
	if err := r.Publish(engNow); err != nil {
		t.Fatal(err)
	}
}
