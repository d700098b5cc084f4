package service

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
)

// Verification is the answer to "is this transcript genuine and current?".
type Verification struct {
	Valid           bool
	Format          string // transcript, clr or achievement
	Checks          []auth.TranscriptCheck
	RevokedOutcomes []TranscriptOutcome
	Subject         *TranscriptSubject
	IssuedAt        time.Time
	ExpiresAt       time.Time
}

// revokedFunc answers whether a certified outcome has been revoked; nil
// means revocation cannot be checked (offline, no status file).
type revokedFunc func(TranscriptOutcome) (bool, error)

// verify runs the checks common to every way of verifying: signature,
// issuer and expiry by auth, then the content in any of the bank's
// formats, then revocations as the caller can know them; when it cannot
// (revoked is nil), the verdict is unknown.
func verify(res auth.TranscriptResult, revoked revokedFunc, unknown auth.TranscriptCheck) (Verification, error) {
	out := Verification{Checks: res.Checks, IssuedAt: res.IssuedAt, ExpiresAt: res.ExpiresAt}
	if res.VC == nil {
		return out, nil
	}
	format, subj, err := readCredential(res.VC)
	if err != nil {
		out.Checks = append(out.Checks, auth.TranscriptCheck{Name: "content", OK: false, Message: "credential content is unreadable"})
		return out, nil
	}
	out.Format, out.Subject = format, &subj
	if revoked == nil {
		out.Checks = append(out.Checks, unknown)
		out.Valid = auth.TranscriptResult{Checks: out.Checks}.Valid()
		return out, nil
	}
	for _, o := range subj.Outcomes {
		gone, err := revoked(o)
		if err != nil {
			return Verification{}, err
		}
		if gone {
			out.RevokedOutcomes = append(out.RevokedOutcomes, o)
		}
	}
	check := auth.TranscriptCheck{Name: "revocation", OK: len(out.RevokedOutcomes) == 0, Message: "no certified outcome has been revoked", Code: RevocationNone}
	if !check.OK {
		check.Message, check.Code = "certified outcomes have been revoked since issue", RevocationRevoked
	}
	out.Checks = append(out.Checks, check)
	out.Valid = auth.TranscriptResult{Checks: out.Checks}.Valid()
	return out, nil
}

// readCredential reads any credential the bank signs into the one view
// verifiers are shown.
func readCredential(raw json.RawMessage) (string, TranscriptSubject, error) {
	var head struct {
		Type []string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", TranscriptSubject{}, err
	}
	switch {
	case slices.Contains(head.Type, "ClrCredential"):
		var c clrCredential
		if err := json.Unmarshal(raw, &c); err != nil {
			return "", TranscriptSubject{}, err
		}
		subj, err := c.view()
		return "clr", subj, err
	case slices.Contains(head.Type, "AchievementCredential"):
		var c achievementCredential
		if err := json.Unmarshal(raw, &c); err != nil {
			return "", TranscriptSubject{}, err
		}
		return "achievement", c.view(), nil
	case slices.Contains(head.Type, "LearningRecordTranscript"):
		var vc transcriptVC
		if err := json.Unmarshal(raw, &vc); err != nil {
			return "", TranscriptSubject{}, err
		}
		return "transcript", vc.CredentialSubject, nil
	}
	return "", TranscriptSubject{}, errors.New("unknown credential type")
}

// VerifyTranscript checks signature, issuer and expiry, then asks the bank
// whether any certified outcome has been revoked since.
func (s *Service) VerifyTranscript(ctx context.Context, token string) (Verification, error) {
	keys, err := s.store.ListSigningKeys(ctx)
	if err != nil {
		return Verification{}, err
	}
	issuer := ""
	if s.transcripts != nil {
		issuer = s.transcripts.Issuer()
	}
	res := auth.VerifyTranscript(token, issuer, keys, s.now())
	return verify(res, s.revokedInStore(ctx), auth.TranscriptCheck{})
}

// revokedInStore answers revocation from the bank's own records: an
// outcome that is gone or revoked no longer stands.
func (s *Service) revokedInStore(ctx context.Context) revokedFunc {
	return func(o TranscriptOutcome) (bool, error) {
		id, err := uuid.Parse(o.ID)
		if err != nil {
			return false, nil
		}
		acc, err := s.store.GetAccountByOutcomeID(ctx, id)
		if errors.Is(err, domain.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		cur, ok := acc.Outcome(id)
		return !ok || cur.Status == domain.OutcomeRevoked, nil
	}
}

// NotCheckedOffline is the revocation verdict without a status file.
const NotCheckedOffline = "not checked offline: pass a status file downloaded from the bank (GET /api/v1/transcripts/status)"

// VerifyOffline checks a transcript with nothing but the bank's published
// keys and, if given, a status file downloaded from the bank: no store, no
// network. A status file that is forged, from other keys or expired fails
// the revocation check rather than being ignored. Without one the expected
// issuer is taken from issuer (may be empty: not compared).
func VerifyOffline(token string, keys auth.PublicKeys, statusFile []byte, issuer string, now time.Time) Verification {
	var revoked revokedFunc
	unknown := auth.TranscriptCheck{Name: "revocation", OK: true, Message: NotCheckedOffline, Code: RevocationUnknown}
	if statusFile != nil {
		st, err := auth.VerifyStatus(statusToken(statusFile), keys, now)
		if err != nil {
			unknown = auth.TranscriptCheck{Name: "revocation", OK: false, Message: err.Error(), Code: RevocationUnknown}
		} else {
			revoked = func(o TranscriptOutcome) (bool, error) { return st.Revoked[o.ID], nil }
			if issuer == "" {
				issuer = st.Issuer
			}
		}
	}
	v, _ := verify(auth.VerifyTranscriptWith(token, issuer, keys, now), revoked, unknown)
	return v
}

// statusToken takes the signed list out of a downloaded status file (the
// JSON the bank serves) or accepts the bare JWT.
func statusToken(raw []byte) string {
	var wrapped struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Status != "" {
		return wrapped.Status
	}
	return string(raw)
}

// StatusLifetime is how long a downloaded status file is accepted: a
// revocation reaches offline verifiers within it.
const StatusLifetime = 7 * 24 * time.Hour

// statusCacheFor bounds how often the revocation list is rebuilt: building
// it scans every account.
const statusCacheFor = 5 * time.Minute

// StatusFile is the signed list of revoked outcome IDs.
type StatusFile struct {
	Token     string
	Issuer    string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   []string
}

type statusCache struct {
	mu    sync.Mutex
	file  StatusFile
	built time.Time
}

func (c *statusCache) invalidate() {
	c.mu.Lock()
	c.file = StatusFile{}
	c.mu.Unlock()
}

// RevocationStatus returns the signed revocation list for offline
// verifiers. It is public like the verify page: outcome IDs say nothing
// about whom they belonged to.
func (s *Service) RevocationStatus(ctx context.Context) (StatusFile, error) {
	if s.transcripts == nil {
		return StatusFile{}, errors.New("transcripts are not configured")
	}
	s.status.mu.Lock()
	defer s.status.mu.Unlock()
	now := s.now()
	if s.status.file.Token != "" && now.Sub(s.status.built) < statusCacheFor && now.After(s.status.built) {
		return s.status.file, nil
	}
	revoked := []string{}
	err := s.store.ScanAccounts(ctx, func(a *domain.Account) error {
		for _, o := range a.Outcomes {
			if o.Status == domain.OutcomeRevoked {
				revoked = append(revoked, o.ID.String())
			}
		}
		return nil
	})
	if err != nil {
		return StatusFile{}, err
	}
	slices.Sort(revoked)
	token, issued, exp, err := s.transcripts.SignStatus(revoked, StatusLifetime)
	if err != nil {
		return StatusFile{}, err
	}
	s.status.file = StatusFile{Token: token, Issuer: s.transcripts.Issuer(), IssuedAt: issued, ExpiresAt: exp, Revoked: revoked}
	s.status.built = now
	return s.status.file, nil
}

// TranscriptKeys are the public keys of every key the bank ever signed
// with: a transcript verifies for months, long after its key stopped
// signing access tokens and left /.well-known/jwks.json.
func (s *Service) TranscriptKeys(ctx context.Context) (auth.PublicKeys, error) {
	keys, err := s.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	return auth.StoredPublicKeys(keys), nil
}
