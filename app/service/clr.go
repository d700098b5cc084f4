package service

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// The 1EdTech export: each outcome as an Open Badges 3.0
// AchievementCredential, the whole record as a CLR 2.0 ClrCredential, both
// on the W3C VC 2.0 data model and signed as VC-JWT with the bank's keys.
// The field names are the standards'; they are spelled here, next to the
// code that signs them, like the bank's own transcript format.
const (
	contextVC2  = "https://www.w3.org/ns/credentials/v2"
	contextOB3  = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	contextCLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
)

// bankName is the issuer profile's name on exported credentials.
const bankName = "终身学习学分银行 Lifelong Learning Credit Bank"

type obProfile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
}

type obCriteria struct {
	Narrative string `json:"narrative"`
}

type obAchievement struct {
	ID               string     `json:"id"`
	Type             []string   `json:"type"`
	AchievementType  string     `json:"achievementType"`
	Name             string     `json:"name"`
	Description      string     `json:"description"`
	Criteria         obCriteria `json:"criteria"`
	CreditsAvailable float64    `json:"creditsAvailable"`
	HumanCode        string     `json:"humanCode,omitempty"`
	FieldOfStudy     string     `json:"fieldOfStudy,omitempty"`
	Tag              []string   `json:"tag,omitempty"`
	Creator          *obProfile `json:"creator,omitempty"`
}

// obIdentity names the learner inside a credential. The national ID
// appears only masked, as everywhere outside the learner's own export.
type obIdentity struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
}

type obResult struct {
	Type  []string `json:"type"`
	Value string   `json:"value"`
}

type obSubject struct {
	ID              string        `json:"id"`
	Type            []string      `json:"type"`
	Identifier      []obIdentity  `json:"identifier"`
	Achievement     obAchievement `json:"achievement"`
	CreditsEarned   float64       `json:"creditsEarned"`
	ActivityEndDate time.Time     `json:"activityEndDate"`
	Result          []obResult    `json:"result,omitempty"`
}

type achievementCredential struct {
	Context           []string   `json:"@context"`
	ID                string     `json:"id"`
	Type              []string   `json:"type"`
	Issuer            obProfile  `json:"issuer"`
	Name              string     `json:"name"`
	ValidFrom         time.Time  `json:"validFrom"`
	ValidUntil        *time.Time `json:"validUntil,omitempty"`
	CredentialSubject obSubject  `json:"credentialSubject"`
}

type clrSubject struct {
	ID                   string                  `json:"id"`
	Type                 []string                `json:"type"`
	Identifier           []obIdentity            `json:"identifier"`
	VerifiableCredential []achievementCredential `json:"verifiableCredential"`
}

type clrCredential struct {
	Context           []string   `json:"@context"`
	ID                string     `json:"id"`
	Type              []string   `json:"type"`
	Issuer            obProfile  `json:"issuer"`
	Name              string     `json:"name"`
	Description       string     `json:"description"`
	ValidFrom         time.Time  `json:"validFrom"`
	ValidUntil        *time.Time `json:"validUntil,omitempty"`
	CredentialSubject clrSubject `json:"credentialSubject"`
}

// achievementNamespace derives stable achievement IDs: the same course of
// the same institution is one Achievement whoever earned it.
var achievementNamespace = uuid.MustParse("6f1c2f7e-3b8a-4c59-9d0e-2a7b5e8c1d40")

func learnerIdentity(subj TranscriptSubject) []obIdentity {
	ids := []obIdentity{{Type: "IdentityObject", IdentityHash: subj.Name, IdentityType: "name", Hashed: false}}
	if subj.NationalID != "" {
		ids = append(ids, obIdentity{Type: "IdentityObject", IdentityHash: subj.NationalID, IdentityType: "nationalIdentityNumber", Hashed: false})
	}
	return ids
}

// achievementType maps the bank's categories onto the OB 3.0 vocabulary.
func achievementType(category string) string {
	switch domain.Category(category) {
	case domain.CategoryCertificate:
		return "Certificate"
	default:
		return "Course"
	}
}

// achievementFor builds one outcome's AchievementCredential. Its id is the
// outcome's, so that a revocation list names it.
func achievementFor(o TranscriptOutcome, subj TranscriptSubject, issuer string, issued time.Time, until *time.Time) achievementCredential {
	creator := &obProfile{ID: "urn:uuid:" + o.IssuerID, Type: []string{"Profile"}, Name: o.IssuerName}
	desc := o.Title + " — " + strconv.FormatFloat(o.Hours, 'f', -1, 64) + " h, " + o.Category
	end, _ := time.Parse("2006-01-02", o.CompletedOn)
	return achievementCredential{
		Context: []string{contextVC2, contextOB3},
		ID:      "urn:uuid:" + o.ID,
		Type:    []string{"VerifiableCredential", "AchievementCredential"},
		Issuer:  obProfile{ID: issuer, Type: []string{"Profile"}, Name: bankName},
		Name:    o.Title, ValidFrom: issued, ValidUntil: until,
		CredentialSubject: obSubject{
			ID: subj.ID, Type: []string{"AchievementSubject"}, Identifier: learnerIdentity(subj),
			Achievement: obAchievement{
				ID:              "urn:uuid:" + uuid.NewSHA1(achievementNamespace, []byte(o.IssuerID+"\x00"+o.Category+"\x00"+o.CourseCode+"\x00"+o.Title)).String(),
				Type:            []string{"Achievement"},
				AchievementType: achievementType(o.Category), Name: o.Title, Description: desc,
				Criteria:         obCriteria{Narrative: "Completed and passed at " + o.IssuerName + ", banked by the credit bank."},
				CreditsAvailable: o.Credits, HumanCode: o.CourseCode, FieldOfStudy: o.Category, Tag: []string{o.Category}, Creator: creator,
			},
			CreditsEarned: o.Credits, ActivityEndDate: end,
			Result: []obResult{{Type: []string{"Result"}, Value: strconv.FormatFloat(o.Score, 'f', -1, 64)}},
		},
	}
}

// buildCLR wraps every outcome's AchievementCredential in the learner's
// ClrCredential.
func buildCLR(subj TranscriptSubject, issuer string, issued time.Time, until *time.Time) (clrCredential, []achievementCredential) {
	creds := make([]achievementCredential, 0, len(subj.Outcomes))
	for _, o := range subj.Outcomes {
		creds = append(creds, achievementFor(o, subj, issuer, issued, until))
	}
	return clrCredential{
		Context:     []string{contextVC2, contextCLR2, contextOB3},
		ID:          "urn:uuid:" + domain.NewID().String(),
		Type:        []string{"VerifiableCredential", "ClrCredential"},
		Issuer:      obProfile{ID: issuer, Type: []string{"Profile"}, Name: bankName},
		Name:        "个人终身学习电子档案 Lifelong learning record: " + subj.Name,
		Description: "Every active learning outcome banked for the learner.",
		ValidFrom:   issued, ValidUntil: until,
		CredentialSubject: clrSubject{ID: subj.ID, Type: []string{"ClrSubject"}, Identifier: learnerIdentity(subj), VerifiableCredential: creds},
	}, creds
}

// view reads an AchievementCredential back into the verifier's view.
func (c achievementCredential) view() TranscriptSubject {
	subj := TranscriptSubject{ID: c.CredentialSubject.ID, ByCategory: map[string]float64{}, Conversions: []TranscriptConversion{}}
	readIdentity(&subj, c.CredentialSubject.Identifier)
	c.addTo(&subj)
	return subj
}

func (c achievementCredential) addTo(subj *TranscriptSubject) {
	s := c.CredentialSubject
	o := TranscriptOutcome{ID: strings.TrimPrefix(c.ID, "urn:uuid:"), Title: s.Achievement.Name, Category: s.Achievement.FieldOfStudy,
		CourseCode: s.Achievement.HumanCode, Credits: s.CreditsEarned, CompletedOn: s.ActivityEndDate.Format("2006-01-02")}
	if s.Achievement.Creator != nil {
		o.IssuerID, o.IssuerName = strings.TrimPrefix(s.Achievement.Creator.ID, "urn:uuid:"), s.Achievement.Creator.Name
	}
	if len(s.Result) > 0 {
		o.Score, _ = strconv.ParseFloat(s.Result[0].Value, 64)
	}
	subj.Outcomes = append(subj.Outcomes, o)
	subj.Banked += o.Credits
	subj.ByCategory[o.Category] += o.Credits
}

// view reads a ClrCredential back into the verifier's view.
func (c clrCredential) view() TranscriptSubject {
	subj := TranscriptSubject{ID: c.CredentialSubject.ID, ByCategory: map[string]float64{}, Outcomes: []TranscriptOutcome{}, Conversions: []TranscriptConversion{}}
	readIdentity(&subj, c.CredentialSubject.Identifier)
	for _, ac := range c.CredentialSubject.VerifiableCredential {
		ac.addTo(&subj)
	}
	return subj
}

func readIdentity(subj *TranscriptSubject, ids []obIdentity) {
	for _, id := range ids {
		switch id.IdentityType {
		case "name":
			subj.Name = id.IdentityHash
		case "nationalIdentityNumber":
			subj.NationalID = id.IdentityHash
		}
	}
}

// CLRExport is the learner's record as a signed ClrCredential plus each
// outcome as its own signed AchievementCredential, for wallets that take
// badges one by one.
type CLRExport struct {
	Token        string
	Achievements []string
	Subject      TranscriptSubject
	IssuedAt     time.Time
	ExpiresAt    time.Time
}

// IssueCLR signs the learner's current record in the 1EdTech vocabulary.
func (s *Service) IssueCLR(ctx context.Context, actor Actor) (CLRExport, error) {
	acc, subj, err := s.transcriptSubject(ctx, actor)
	if err != nil {
		return CLRExport{}, err
	}
	if len(subj.Outcomes) == 0 {
		// CLR 2.0 requires at least one credential in the record.
		return CLRExport{}, domain.Invalid("format", "a CLR needs at least one banked outcome; this record has none yet")
	}
	issued := domain.Now(s.now()).Truncate(time.Second)
	until := issued.Add(TranscriptLifetime)
	clr, creds := buildCLR(subj, s.transcripts.Issuer(), issued, &until)
	sign := func(v any) (string, time.Time, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return "", time.Time{}, err
		}
		return s.transcripts.Sign(acc.ID.String(), raw, TranscriptLifetime)
	}
	out := CLRExport{Subject: subj, IssuedAt: issued, Achievements: make([]string, 0, len(creds))}
	if out.Token, out.ExpiresAt, err = sign(clr); err != nil {
		return CLRExport{}, err
	}
	for _, c := range creds {
		tok, _, err := sign(c)
		if err != nil {
			return CLRExport{}, err
		}
		out.Achievements = append(out.Achievements, tok)
	}
	s.audit(ctx, actor, "transcript.issue", "account", acc.ID.String(), "format=clr")
	return out, nil
}
