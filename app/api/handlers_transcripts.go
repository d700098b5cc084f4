package api

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
	"creditbank/domain"
)

type transcriptDTO struct {
	Transcript string `json:"transcript"`
	Format     string `json:"format"` // transcript or clr
	// Achievements are the CLR export's outcomes, each its own signed
	// Open Badges 3.0 AchievementCredential (VC-JWT).
	Achievements []string `json:"achievements,omitempty"`
	// Credential is the CLR with its embedded Data Integrity proof, and
	// AchievementCredentials each outcome's, as wallets take them.
	Credential             json.RawMessage           `json:"credential,omitempty"`
	AchievementCredentials []json.RawMessage         `json:"achievementCredentials,omitempty"`
	View                   service.TranscriptSubject `json:"view"`
	IssuedAt               time.Time                 `json:"issuedAt"`
	ExpiresAt              time.Time                 `json:"expiresAt,omitzero"` // a CLR does not expire
	// VerifyURL is the short address printed with the transcript, VerifyQR
	// the same as a QR code (SVG data URL).
	VerifyURL string `json:"verifyUrl,omitempty"`
	VerifyQR  string `json:"verifyQr,omitempty"`
}

func (s *Server) transcript(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	switch c.Query("format") {
	case "", "transcript":
	case "clr":
		return s.clrTranscript(c, actor)
	default:
		return domain.Invalid("format", "must be transcript or clr")
	}
	t, err := s.svc.IssueTranscript(c.UserContext(), actor)
	if err != nil {
		return err
	}
	qr, err := qrDataURL(t.VerifyURL)
	if err != nil {
		return err
	}
	return c.JSON(transcriptDTO{Transcript: t.Token, Format: "transcript", View: t.Subject, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
		VerifyURL: t.VerifyURL, VerifyQR: qr})
}

// shortVerify is where a printed transcript's QR code leads: the verify
// page, which checks the transcript the code names.
func (s *Server) shortVerify(c *fiber.Ctx) error {
	code := strings.ToUpper(c.Params("code"))
	if len(code) != 10 || strings.Trim(code, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") != "" {
		return domain.ErrNotFound
	}
	return c.Redirect("/#/verify?code="+code, fiber.StatusFound)
}

// verifyRequest carries what a verifier was handed: a transcript or VC-JWT
// (or a credential's JSON pasted as text) in transcript, or an uploaded
// JSON credential as an object in credential.
type verifyRequest struct {
	Transcript string          `json:"transcript"`
	Credential json.RawMessage `json:"credential"`
	Code       string          `json:"code"` // printed on a paper transcript
}

type checkDTO struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"` // for pages that word the verdict themselves
	Arg     string `json:"arg,omitempty"`
}

type verifyDTO struct {
	Valid           bool                        `json:"valid"`
	Format          string                      `json:"format,omitempty"`
	Checks          []checkDTO                  `json:"checks"`
	RevokedOutcomes []service.TranscriptOutcome `json:"revokedOutcomes"`
	Subject         *service.TranscriptSubject  `json:"subject,omitempty"`
	IssuedAt        *time.Time                  `json:"issuedAt,omitempty"`
	ExpiresAt       *time.Time                  `json:"expiresAt,omitempty"`
}

// verifyTranscript lets anyone (an admissions office, an employer) check a
// transcript a learner handed them.
func (s *Server) verifyTranscript(c *fiber.Ctx) error {
	var req verifyRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	input := strings.TrimSpace(req.Transcript)
	if len(req.Credential) > 0 {
		input = string(req.Credential)
	}
	var v service.Verification
	var err error
	if req.Code != "" {
		v, err = s.svc.VerifyCode(c.UserContext(), req.Code)
	} else {
		v, err = s.svc.VerifyCredential(c.UserContext(), input)
	}
	if err != nil {
		return err
	}
	out := verifyDTO{Valid: v.Valid, Format: v.Format, Checks: []checkDTO{}, RevokedOutcomes: v.RevokedOutcomes, Subject: v.Subject}
	if out.RevokedOutcomes == nil {
		out.RevokedOutcomes = []service.TranscriptOutcome{}
	}
	for _, ch := range v.Checks {
		out.Checks = append(out.Checks, checkDTO{Name: ch.Name, OK: ch.OK, Message: ch.Message, Code: ch.Code, Arg: ch.Arg})
	}
	if !v.IssuedAt.IsZero() {
		out.IssuedAt, out.ExpiresAt = &v.IssuedAt, &v.ExpiresAt
	}
	return c.JSON(out)
}
