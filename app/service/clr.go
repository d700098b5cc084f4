package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"creditbank/auth/vc"
	"creditbank/domain"
)

// The 1EdTech export: each outcome as an Open Badges 3.0
// AchievementCredential, the whole record as a CLR 2.0 ClrCredential, both
// on the W3C VC 2.0 data model with an embedded eddsa-rdfc-2022 Data
// Integrity proof. The field names are the standards'; they are spelled
// here, next to the code that signs them.
const (
	schemaOB3  = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
	schemaCLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
	// schemaValidator is the VC 2.0 credentialSchema type for a JSON Schema
	// (the VC 2.0 context defines it). OB 3.0's older
	// "1EdTechJsonSchemaValidator2019" is defined by no VC 2.0 context, so
	// JSON-LD processors in safe mode, as wallets run them, reject it.
	schemaValidator = "JsonSchema"
)

// CredentialKeys sign the bank's credentials and publish its DID document.
type CredentialKeys interface {
	DID() string
	ProofKey() (verificationMethod string, key ed25519.PrivateKey, err error)
	JWTKey() (kid string, key *ecdsa.PrivateKey, err error)
	DIDDocument() vc.DIDDocument
}

// IssuerProfile is how the bank names itself in the credentials it issues.
type IssuerProfile struct {
	Name        string // 中文
	NameEn      string
	URL         string // official web address; defaults to the public base URL
	Street      string
	Locality    string
	Region      string
	PostalCode  string
	CountryCode string // ISO 3166-1 alpha-2
}

// DefaultIssuerProfile applies when the operator configures none.
var DefaultIssuerProfile = IssuerProfile{Name: "终身学习学分银行", NameEn: "Lifelong Learning Credit Bank", CountryCode: "CN"}

type obAddress struct {
	Type               []string `json:"type"`
	AddressCountryCode string   `json:"addressCountryCode,omitempty"`
	AddressRegion      string   `json:"addressRegion,omitempty"`
	AddressLocality    string   `json:"addressLocality,omitempty"`
	StreetAddress      string   `json:"streetAddress,omitempty"`
	PostalCode         string   `json:"postalCode,omitempty"`
}

type obProfile struct {
	ID          string     `json:"id"`
	Type        []string   `json:"type"`
	Name        string     `json:"name"`
	URL         string     `json:"url,omitempty"`
	Description string     `json:"description,omitempty"`
	Address     *obAddress `json:"address,omitempty"`
}

type obCriteria struct {
	Narrative string `json:"narrative"`
}

type obResultDescription struct {
	ID            string   `json:"id"`
	Type          []string `json:"type"`
	Name          string   `json:"name"`
	ResultType    string   `json:"resultType"`
	AllowedValue  []string `json:"allowedValue,omitempty"`
	RequiredValue string   `json:"requiredValue,omitempty"`
	ValueMin      string   `json:"valueMin,omitempty"`
	ValueMax      string   `json:"valueMax,omitempty"`
}

type obAchievement struct {
	ID                string                `json:"id"`
	Type              []string              `json:"type"`
	AchievementType   string                `json:"achievementType"`
	Name              string                `json:"name"`
	Description       string                `json:"description"`
	Criteria          obCriteria            `json:"criteria"`
	CreditsAvailable  float64               `json:"creditsAvailable"`
	HumanCode         string                `json:"humanCode,omitempty"`
	FieldOfStudy      string                `json:"fieldOfStudy,omitempty"`
	Tag               []string              `json:"tag,omitempty"`
	ResultDescription []obResultDescription `json:"resultDescription,omitempty"`
	Creator           *obProfile            `json:"creator,omitempty"`
	Alignment         []obAlignment         `json:"alignment,omitempty"`
}

// obAlignment ties an achievement to the certification unit it certifies
// and to the level of the district's framework, so that a reader elsewhere
// compares like with like.
type obAlignment struct {
	Type              []string `json:"type"`
	TargetName        string   `json:"targetName"`
	TargetURL         string   `json:"targetUrl"`
	TargetDescription string   `json:"targetDescription,omitempty"`
	TargetFramework   string   `json:"targetFramework,omitempty"`
	TargetCode        string   `json:"targetCode,omitempty"`
	TargetType        string   `json:"targetType,omitempty"`
}

// obIdentity names the learner. The national ID only ever appears hashed
// with a salt of the credential's own: an office that knows an applicant's
// ID can match it, nobody can read it back, and two credentials of one
// learner do not share a hash that would link them.
type obIdentity struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt,omitempty"`
}

type obResult struct {
	Type              []string `json:"type"`
	ResultDescription string   `json:"resultDescription,omitempty"`
	Value             string   `json:"value,omitempty"`
	Status            string   `json:"status,omitempty"`
}

type obSubject struct {
	ID              string        `json:"id"`
	Type            []string      `json:"type"`
	Identifier      []obIdentity  `json:"identifier"`
	Achievement     obAchievement `json:"achievement"`
	CreditsEarned   float64       `json:"creditsEarned"`
	ActivityEndDate time.Time     `json:"activityEndDate"`
	Result          []obResult    `json:"result,omitempty"`
	Source          *obProfile    `json:"source,omitempty"`
}

type credentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// statusEntry is a BitstringStatusListEntry.
type statusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

type achievementCredential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Issuer            obProfile          `json:"issuer"`
	Name              string             `json:"name"`
	ValidFrom         time.Time          `json:"validFrom"`
	ValidUntil        *time.Time         `json:"validUntil,omitempty"`
	AwardedDate       *time.Time         `json:"awardedDate,omitempty"`
	CredentialSubject obSubject          `json:"credentialSubject"`
	CredentialSchema  []credentialSchema `json:"credentialSchema,omitempty"`
	CredentialStatus  *statusEntry       `json:"credentialStatus,omitempty"`
	Proof             json.RawMessage    `json:"proof,omitempty"`
}

type clrSubject struct {
	ID         string       `json:"id"`
	Type       []string     `json:"type"`
	Identifier []obIdentity `json:"identifier"`
	// Each AchievementCredential as signed, byte for byte.
	VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
}

type clrCredential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Issuer            obProfile          `json:"issuer"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	ValidFrom         time.Time          `json:"validFrom"`
	CredentialSubject clrSubject         `json:"credentialSubject"`
	CredentialSchema  []credentialSchema `json:"credentialSchema,omitempty"`
	// The status entry of every outcome the record holds: the record is
	// revoked when any of them is.
	CredentialStatus []statusEntry   `json:"credentialStatus,omitempty"`
	Proof            json.RawMessage `json:"proof,omitempty"`
}

// achievementNamespace derives stable achievement IDs: the same course of
// the same institution is one Achievement whoever earned it.
var achievementNamespace = uuid.MustParse("6f1c2f7e-3b8a-4c59-9d0e-2a7b5e8c1d40")

// IdentityHash is the OB 3.0 salted hash of an identifier: "sha256$" and
// the hex SHA-256 of the identifier followed by the salt.
func IdentityHash(identifier, salt string) string {
	sum := sha256.Sum256([]byte(identifier + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// learnerIdentity names the learner: the name as written, the national ID
// hashed under a fresh salt.
func learnerIdentity(name, nationalID string) ([]obIdentity, error) {
	ids := []obIdentity{{Type: "IdentityObject", IdentityHash: name, IdentityType: "name", Hashed: false}}
	if nationalID == "" {
		return ids, nil
	}
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(salt[:])
	return append(ids, obIdentity{Type: "IdentityObject", IdentityHash: IdentityHash(nationalID, s), IdentityType: "nationalIdentityNumber", Hashed: true, Salt: s}), nil
}

// achievementType maps the bank's categories onto the OB 3.0 vocabulary.
func achievementType(category domain.Category) string {
	switch category {
	case domain.CategoryCertificate:
		return "Certificate"
	default:
		return "Course"
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// resultFor describes how the outcome was assessed and what the learner
// achieved on that scale: a score out of 100 with its pass mark, a letter
// grade (E the lowest pass), or a plain pass.
func resultFor(achievementID string, r domain.Result) (obResultDescription, obResult) {
	rd := obResultDescription{ID: achievementID + "#result", Type: []string{"ResultDescription"}}
	res := obResult{Type: []string{"Result"}, ResultDescription: rd.ID, Status: "Completed"}
	switch {
	case r.Score != nil:
		mark := float64(domain.DefaultPassMark)
		if r.PassMark != nil {
			mark = *r.PassMark
		}
		rd.Name, rd.ResultType = "成绩（百分制）Score out of 100", "ScaledScore"
		rd.ValueMin, rd.ValueMax, rd.RequiredValue = "0", "100", num(mark)
		res.Value = num(*r.Score)
	case r.Grade != "":
		rd.Name, rd.ResultType = "等级 Letter grade", "LetterGrade"
		rd.AllowedValue, rd.RequiredValue = []string{"A", "B", "C", "D", "E", "F"}, "E"
		res.Value = r.Grade
	default:
		rd.Name, rd.ResultType = "合格 Pass or fail", "Status"
		rd.AllowedValue, rd.RequiredValue = []string{"合格 Pass", "不合格 Fail"}, "合格 Pass"
		res.Value = "合格 Pass"
	}
	rd.ID = rd.ID + "-" + strings.ToLower(rd.ResultType)
	res.ResultDescription = rd.ID
	return rd, res
}

// credentialIssue is what every credential of one download shares.
type credentialIssue struct {
	issuer     obProfile
	signedAt   time.Time
	subjectID  string
	name       string
	nationalID string
}

func (p IssuerProfile) profile(did, baseURL string) obProfile {
	if p.Name == "" && p.NameEn == "" {
		p = DefaultIssuerProfile
	}
	url := p.URL
	if url == "" {
		url = strings.TrimRight(baseURL, "/")
	}
	out := obProfile{ID: did, Type: []string{"Profile"}, Name: strings.TrimSpace(p.Name + " " + p.NameEn), URL: url,
		Description: "学分银行为终身学习成果存档、认证与转换。The credit bank banks, certifies and converts lifelong learning outcomes."}
	if p.Street != "" || p.Locality != "" || p.Region != "" || p.CountryCode != "" {
		out.Address = &obAddress{Type: []string{"Address"}, AddressCountryCode: p.CountryCode, AddressRegion: p.Region,
			AddressLocality: p.Locality, StreetAddress: p.Street, PostalCode: p.PostalCode}
	}
	return out
}

// achievementFor builds one outcome's AchievementCredential. Its id is the
// outcome's, so that verifiers and the bank name the same thing.
func achievementFor(o domain.Outcome, instName string, ci credentialIssue, alignment []obAlignment) (achievementCredential, error) {
	ids, err := learnerIdentity(ci.name, ci.nationalID)
	if err != nil {
		return achievementCredential{}, err
	}
	if instName == "" {
		instName = o.IssuerID.String()
	}
	creator := &obProfile{ID: "urn:uuid:" + o.IssuerID.String(), Type: []string{"Profile"}, Name: instName}
	achID := "urn:uuid:" + uuid.NewSHA1(achievementNamespace, []byte(o.IssuerID.String()+"\x00"+string(o.Category)+"\x00"+o.CourseCode+"\x00"+o.Title)).String()
	rd, res := resultFor(achID, o.Result)
	hours := num(o.Hours) + " 学时 hours"
	awarded := o.CompletedOn.UTC()
	c := achievementCredential{
		Context: []string{vc.ContextVC2, vc.ContextOB3},
		ID:      "urn:uuid:" + o.ID.String(),
		Type:    []string{"VerifiableCredential", "AchievementCredential"},
		Issuer:  ci.issuer, Name: o.Title, ValidFrom: ci.signedAt, AwardedDate: &awarded,
		CredentialSubject: obSubject{
			ID: ci.subjectID, Type: []string{"AchievementSubject"}, Identifier: ids,
			Achievement: obAchievement{
				ID: achID, Type: []string{"Achievement"}, AchievementType: achievementType(o.Category), Name: o.Title,
				Description:      o.Title + " — " + hours + ", " + num(o.Credits) + " 学分 credits, " + string(o.Category),
				Criteria:         obCriteria{Narrative: "在" + instName + "完成并通过考核，" + hours + "。Completed and passed at " + instName + ", " + hours + "."},
				CreditsAvailable: o.Credits, HumanCode: o.CourseCode, FieldOfStudy: string(o.Category),
				Tag:               []string{string(o.Category), hours},
				ResultDescription: []obResultDescription{rd}, Creator: creator, Alignment: alignment,
			},
			CreditsEarned: o.Credits, ActivityEndDate: awarded, Result: []obResult{res}, Source: creator,
		},
		CredentialSchema: []credentialSchema{{ID: schemaOB3, Type: schemaValidator}},
	}
	if o.ExpiresOn != nil {
		until := o.ExpiresOn.UTC()
		c.ValidUntil = &until
	}
	return c, nil
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
	if c.AwardedDate != nil {
		o.CompletedOn = c.AwardedDate.Format("2006-01-02")
	}
	if c.ValidUntil != nil {
		o.ExpiresOn = c.ValidUntil.Format("2006-01-02")
	}
	if s.Achievement.Creator != nil {
		o.IssuerID, o.IssuerName = strings.TrimPrefix(s.Achievement.Creator.ID, "urn:uuid:"), s.Achievement.Creator.Name
	}
	for _, t := range s.Achievement.Tag {
		if h, ok := strings.CutSuffix(t, " 学时 hours"); ok {
			o.Hours, _ = strconv.ParseFloat(h, 64)
		}
	}
	if len(s.Result) > 0 {
		o.Score, _ = strconv.ParseFloat(s.Result[0].Value, 64)
	}
	subj.Outcomes = append(subj.Outcomes, o)
	subj.Banked += o.Credits
	subj.ByCategory[o.Category] += o.Credits
}

// view reads a ClrCredential back into the verifier's view.
func (c clrCredential) view() (TranscriptSubject, error) {
	subj := TranscriptSubject{ID: c.CredentialSubject.ID, ByCategory: map[string]float64{}, Outcomes: []TranscriptOutcome{}, Conversions: []TranscriptConversion{}}
	readIdentity(&subj, c.CredentialSubject.Identifier)
	for _, raw := range c.CredentialSubject.VerifiableCredential {
		var ac achievementCredential
		if err := json.Unmarshal(raw, &ac); err != nil {
			return subj, err
		}
		ac.addTo(&subj)
	}
	return subj, nil
}

func readIdentity(subj *TranscriptSubject, ids []obIdentity) {
	for _, id := range ids {
		switch {
		case id.IdentityType == "name" && !id.Hashed:
			subj.Name = id.IdentityHash
		case id.IdentityType == "nationalIdentityNumber" && !id.Hashed:
			subj.NationalID = id.IdentityHash
		}
	}
}

// CLRExport is the learner's record as a ClrCredential and each outcome as
// its own AchievementCredential, for wallets that take badges one by one.
// Credential and Achievements carry embedded Data Integrity proofs; Token
// and AchievementTokens are the same credentials as VC-JWT. A record does
// not expire; outcomes that do carry their own validUntil.
type CLRExport struct {
	Credential        json.RawMessage
	Achievements      []json.RawMessage
	Token             string
	AchievementTokens []string
	Subject           TranscriptSubject
	IssuedAt          time.Time
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
	if s.creds == nil {
		return CLRExport{}, errors.New("credential keys are not configured")
	}
	vm, key, err := s.creds.ProofKey()
	if err != nil {
		return CLRExport{}, err
	}
	nationalID, err := s.vault.Open("national-id", acc.PII.NationalIDSealed)
	if err != nil {
		return CLRExport{}, err
	}
	insts, err := s.allInstitutions(ctx)
	if err != nil {
		return CLRExport{}, err
	}
	now := s.now()
	signedAt := domain.Now(now).Truncate(time.Second).UTC()
	ci := credentialIssue{issuer: s.issuerProfile.profile(s.creds.DID(), s.transcripts.Issuer()), signedAt: signedAt,
		subjectID: "urn:uuid:" + acc.ID.String(), name: acc.Name, nationalID: nationalID}
	outcomes := make([]domain.Outcome, 0, len(acc.Outcomes))
	for _, o := range acc.Outcomes {
		if o.Counts(now) {
			outcomes = append(outcomes, o)
		}
	}
	sort.SliceStable(outcomes, func(i, j int) bool { return outcomes[i].CompletedOn.Before(outcomes[j].CompletedOn) })
	jwtKID, jwtKey, err := s.creds.JWTKey()
	if err != nil {
		return CLRExport{}, err
	}
	out := CLRExport{Subject: subj, IssuedAt: signedAt}
	aligner, err := s.newAligner(ctx)
	if err != nil {
		return CLRExport{}, err
	}
	var statuses []statusEntry
	// Each credential in both proof forms: the embedded Data Integrity
	// proof wallets take, and the VC-JWT of the same credential.
	sign := func(v any) (json.RawMessage, string, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, "", err
		}
		signed, err := vc.Sign(raw, key, vm, signedAt)
		if err != nil {
			return nil, "", err
		}
		tok, err := vc.SignJWT(raw, jwtKey, jwtKID)
		return signed, tok, err
	}
	for _, o := range outcomes {
		ac, err := achievementFor(o, insts[o.IssuerID].Name, ci, aligner.of(ctx, o))
		if err != nil {
			return CLRExport{}, err
		}
		st, err := s.statusEntryFor(ctx, o.ID)
		if err != nil {
			return CLRExport{}, err
		}
		ac.CredentialStatus = &st
		statuses = append(statuses, st)
		signed, tok, err := sign(ac)
		if err != nil {
			return CLRExport{}, err
		}
		out.Achievements = append(out.Achievements, signed)
		out.AchievementTokens = append(out.AchievementTokens, tok)
	}
	ids, err := learnerIdentity(acc.Name, nationalID)
	if err != nil {
		return CLRExport{}, err
	}
	clr := clrCredential{
		Context:     []string{vc.ContextVC2, vc.ContextCLR2, vc.ContextOB3},
		ID:          "urn:uuid:" + domain.NewID().String(),
		Type:        []string{"VerifiableCredential", "ClrCredential"},
		Issuer:      ci.issuer,
		Name:        "个人终身学习电子档案 Lifelong learning record: " + acc.Name,
		Description: "学分银行存入的全部有效学习成果。Every active learning outcome banked for the learner.",
		ValidFrom:   signedAt,
		CredentialSubject: clrSubject{ID: ci.subjectID, Type: []string{"ClrSubject"}, Identifier: ids,
			VerifiableCredential: out.Achievements},
		CredentialSchema: []credentialSchema{{ID: schemaCLR2, Type: schemaValidator}},
		CredentialStatus: statuses,
	}
	if out.Credential, out.Token, err = sign(clr); err != nil {
		return CLRExport{}, err
	}
	s.audit(ctx, actor, "transcript.issue", "account", acc.ID.String(), "format=clr")
	return out, nil
}

// DIDDocument is the issuer's did:web document.
func (s *Service) DIDDocument() (vc.DIDDocument, error) {
	if s.creds == nil {
		return vc.DIDDocument{}, domain.ErrNotFound
	}
	return s.creds.DIDDocument(), nil
}
