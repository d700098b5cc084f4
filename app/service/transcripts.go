package service

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
	"sort"
	"strings"
	"time"

	"creditbank/domain"
)

// TranscriptSigner signs credential documents.
type TranscriptSigner interface {
	Sign(subject string, vc json.RawMessage, lifetime time.Duration) (string, time.Time, error)
	SignStatus(revoked []string, lifetime time.Duration) (token string, issued, expires time.Time, err error)
	Issuer() string
}

// TranscriptLifetime is how long a downloaded transcript verifies; a learner
// downloads a fresh one for each application.
const TranscriptLifetime = 180 * 24 * time.Hour

// The transcript document is a W3C Verifiable Credential. Its field names are
// part of the signed format that third parties read, so they are spelled
// here, next to the code that signs them, and versioned by the type name.
type transcriptVC struct {
	Context           []string          `json:"@context"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	IssuanceDate      time.Time         `json:"issuanceDate"`
	CredentialSubject TranscriptSubject `json:"credentialSubject"`
}

// TranscriptSubject is what a transcript certifies about the learner.
type TranscriptSubject struct {
	ID          string                 `json:"id"`
	Name        string                 `json:"name"`
	NationalID  string                 `json:"nationalId"` // masked
	BirthYear   int                    `json:"birthYear"`
	Banked      float64                `json:"bankedCredits"`
	ByCategory  map[string]float64     `json:"creditsByCategory"`
	Outcomes    []TranscriptOutcome    `json:"outcomes"`
	Conversions []TranscriptConversion `json:"conversions"`
}

// TranscriptOutcome is one certified outcome.
type TranscriptOutcome struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Category    string  `json:"category"`
	CourseCode  string  `json:"courseCode,omitempty"`
	Hours       float64 `json:"hours"`
	Credits     float64 `json:"credits"`
	Score       float64 `json:"score"`
	CompletedOn string  `json:"completedOn"`
	ExpiresOn   string  `json:"expiresOn,omitempty"`
	IssuerID    string  `json:"issuerId"`
	IssuerName  string  `json:"issuerName"`
}

// TranscriptConversion is one approved conversion.
type TranscriptConversion struct {
	Rule           string  `json:"rule"`
	RuleVersion    int     `json:"ruleVersion"`
	Institution    string  `json:"institution"`
	Purpose        string  `json:"purpose"`
	AwardedCredits float64 `json:"awardedCredits"`
	DecidedOn      string  `json:"decidedOn"`
}

// Transcript is a signed transcript and the document it carries. Code is
// the short verification code printed with it: VerifyURL opens the verify
// page on exactly this transcript.
type Transcript struct {
	Token     string
	Subject   TranscriptSubject
	IssuedAt  time.Time
	ExpiresAt time.Time
	Code      string
	VerifyURL string
}

// IssueTranscript signs the learner's current record: active, unexpired
// outcomes and approved conversions.
func (s *Service) IssueTranscript(ctx context.Context, actor Actor) (Transcript, error) {
	acc, subj, err := s.transcriptSubject(ctx, actor)
	if err != nil {
		return Transcript{}, err
	}
	issued := domain.Now(s.now())
	vc, err := json.Marshal(transcriptVC{
		Context:      []string{"https://www.w3.org/2018/credentials/v1"},
		Type:         []string{"VerifiableCredential", "LearningRecordTranscript"},
		Issuer:       s.transcripts.Issuer(),
		IssuanceDate: issued, CredentialSubject: subj,
	})
	if err != nil {
		return Transcript{}, err
	}
	token, exp, err := s.transcripts.Sign(acc.ID.String(), vc, TranscriptLifetime)
	if err != nil {
		return Transcript{}, err
	}
	code, err := s.saveVerificationCode(ctx, token, issued, exp)
	if err != nil {
		return Transcript{}, err
	}
	s.audit(ctx, actor, "transcript.issue", "account", acc.ID.String(), "")
	return Transcript{Token: token, Subject: subj, IssuedAt: issued, ExpiresAt: exp, Code: code, VerifyURL: s.VerifyURL(code)}, nil
}

// verificationAlphabet leaves out 0/O and 1/I/L, which readers of a
// printed code confuse; ten characters carry 49 random bits.
const verificationAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// saveVerificationCode stores the transcript under a fresh short code.
func (s *Service) saveVerificationCode(ctx context.Context, token string, issued, exp time.Time) (string, error) {
	for range 8 {
		var b [10]byte
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(verificationAlphabet))))
			if err != nil {
				return "", err
			}
			b[i] = verificationAlphabet[n.Int64()]
		}
		err := s.store.SaveVerificationCode(ctx, &domain.VerificationCode{Code: string(b[:]), Token: token, CreatedAt: issued, ExpiresAt: exp})
		if errors.Is(err, domain.ErrConflict) {
			continue
		}
		return string(b[:]), err
	}
	return "", errors.New("no free verification code")
}

// VerifyURL is the short address printed (as a QR code) on a transcript.
func (s *Service) VerifyURL(code string) string {
	return strings.TrimRight(s.transcripts.Issuer(), "/") + "/v/" + code
}

// VerifyCode verifies the transcript a printed code names.
func (s *Service) VerifyCode(ctx context.Context, code string) (Verification, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 10 || strings.Trim(code, verificationAlphabet) != "" {
		return Verification{}, domain.Invalid("code", "not a verification code")
	}
	v, err := s.store.GetVerificationCode(ctx, code)
	if err != nil {
		return Verification{}, err
	}
	return s.VerifyCredential(ctx, v.Token)
}

// transcriptSubject gathers what a transcript certifies, in any format.
func (s *Service) transcriptSubject(ctx context.Context, actor Actor) (*domain.Account, TranscriptSubject, error) {
	if actor.Role != domain.RoleLearner {
		return nil, TranscriptSubject{}, domain.ErrForbidden
	}
	if s.transcripts == nil {
		return nil, TranscriptSubject{}, errors.New("transcripts are not configured")
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return nil, TranscriptSubject{}, err
	}
	insts, err := s.allInstitutions(ctx)
	if err != nil {
		return nil, TranscriptSubject{}, err
	}
	now := s.now()
	bal := acc.Balance(now)
	subj := TranscriptSubject{
		ID: "urn:uuid:" + acc.ID.String(), Name: acc.Name, NationalID: acc.PII.NationalIDMasked,
		BirthYear: acc.BirthDate.Year(), Banked: bal.Banked, ByCategory: map[string]float64{},
		Outcomes: []TranscriptOutcome{}, Conversions: []TranscriptConversion{},
	}
	for c, v := range bal.ByCategory {
		subj.ByCategory[string(c)] = v
	}
	for _, o := range acc.Outcomes {
		if !o.Counts(now) {
			continue
		}
		t := TranscriptOutcome{ID: o.ID.String(), Title: o.Title, Category: string(o.Category), CourseCode: o.CourseCode,
			Hours: o.Hours, Credits: o.Credits, Score: o.Result.ScoreValue(), CompletedOn: o.CompletedOn.Format("2006-01-02"),
			IssuerID: o.IssuerID.String(), IssuerName: insts[o.IssuerID].Name}
		if o.ExpiresOn != nil {
			t.ExpiresOn = o.ExpiresOn.Format("2006-01-02")
		}
		subj.Outcomes = append(subj.Outcomes, t)
	}
	sort.SliceStable(subj.Outcomes, func(i, j int) bool { return subj.Outcomes[i].CompletedOn < subj.Outcomes[j].CompletedOn })
	for _, c := range acc.Conversions {
		if c.Status != domain.ConversionApproved || c.DecidedAt == nil {
			continue
		}
		subj.Conversions = append(subj.Conversions, TranscriptConversion{Rule: c.RuleName, RuleVersion: c.RuleVersion,
			Institution: insts[c.InstitutionID].Name, Purpose: string(c.Purpose), AwardedCredits: c.Evaluation.AwardedCredits,
			DecidedOn: c.DecidedAt.Format("2006-01-02")})
	}
	return acc, subj, nil
}
