package domain

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// InstitutionKind is the closed set of institution types in a district.
type InstitutionKind string

const (
	KindCommunityCollege InstitutionKind = "community_college" // 社区教育学院
	KindVocationalSchool InstitutionKind = "vocational_school" // 职教中心
	KindSeniorUniversity InstitutionKind = "senior_university" // 老年大学
	KindOpenUniversity   InstitutionKind = "open_university"   // 开放大学
	KindHigherVocational InstitutionKind = "higher_vocational" // 高职
	KindSchool           InstitutionKind = "school"            // 学校
	KindTrainingProvider InstitutionKind = "training_provider" // 培训机构
)

var institutionKinds = map[InstitutionKind]bool{
	KindCommunityCollege: true, KindVocationalSchool: true, KindSeniorUniversity: true,
	KindOpenUniversity: true, KindHigherVocational: true, KindSchool: true, KindTrainingProvider: true,
}

// Capability is what an institution may do in the bank.
type Capability string

const (
	CapabilityIssue   Capability = "issue"   // deposit outcomes
	CapabilityConvert Capability = "convert" // publish rules and review conversions
)

// InstitutionStatus is the closed set of institution states.
type InstitutionStatus string

const (
	InstitutionActive    InstitutionStatus = "active"
	InstitutionSuspended InstitutionStatus = "suspended"
)

// Institution is a registered issuing and/or converting institution.
type Institution struct {
	ID           uuid.UUID
	Version      int64
	Name         string
	Kind         InstitutionKind
	Region       string
	Capabilities []Capability
	Categories   []Category
	Status       InstitutionStatus
	CreatedAt    time.Time
	// Contact is how a learner reaches the institution to enrol in one of
	// its courses; every part is optional.
	Contact Contact
	// SessionGen is bumped at every suspension: it is part of the session
	// generation of the institution's staff and clients, so their tokens
	// stay dead after the institution is reactivated.
	SessionGen int64
}

// SetStatus suspends or reactivates the institution; suspending ends the
// sessions of all its staff and API clients for good.
func (i *Institution) SetStatus(status InstitutionStatus) error {
	if status != InstitutionActive && status != InstitutionSuspended {
		return Invalid("status", "must be active or suspended")
	}
	if status == InstitutionSuspended {
		i.SessionGen++
	}
	i.Status = status
	return nil
}

// Contact is an institution's public address, telephone and web address.
type Contact struct {
	Address string
	Phone   string
	Website string
}

// contactPhone is a telephone number as people write it: digits with
// spaces, dashes, parentheses or a leading +, an extension after 转.
var contactPhone = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,24}(转[0-9]{1,6})?$`)

// checkContact validates and trims a contact.
func checkContact(v *ValidationError, c Contact) Contact {
	c = Contact{Address: strings.TrimSpace(c.Address), Phone: strings.TrimSpace(c.Phone), Website: strings.TrimSpace(c.Website)}
	if utf8.RuneCountInString(c.Address) > 200 {
		v.Add("address", "at most 200 characters")
	} else if c.Address != "" {
		checkPlainText(v, "address", c.Address)
	}
	if c.Phone != "" && !contactPhone.MatchString(c.Phone) {
		v.Add("phone", "must be a telephone number such as 010-6512 3456")
	}
	if c.Website != "" {
		u, err := url.Parse(c.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.Website) > 200 {
			v.Add("website", "must be a web address starting with https:// (at most 200 characters)")
		}
	}
	return c
}

// InstitutionInput is what an admin registers.
type InstitutionInput struct {
	Name         string
	Kind         string
	Region       string
	Capabilities []string
	Categories   []string
	Contact      Contact
}

// NewInstitution validates a registration.
func NewInstitution(in InstitutionInput, now time.Time) (Institution, error) {
	v := &ValidationError{}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		v.Add("name", "required, at most 100 characters")
	} else {
		checkPlainText(v, "name", name)
	}
	kind := InstitutionKind(in.Kind)
	if !institutionKinds[kind] {
		v.Add("kind", "must be one of community_college, vocational_school, senior_university, open_university, higher_vocational, school, training_provider")
	}
	region := strings.TrimSpace(in.Region)
	if utf8.RuneCountInString(region) > 100 {
		v.Add("region", "at most 100 characters")
	}
	var caps []Capability
	seen := map[string]bool{}
	for i, c := range in.Capabilities {
		if c != string(CapabilityIssue) && c != string(CapabilityConvert) {
			v.Add("capabilities["+itoa(i)+"]", "must be issue or convert")
			continue
		}
		if !seen[c] {
			seen[c] = true
			caps = append(caps, Capability(c))
		}
	}
	if len(caps) == 0 {
		v.Add("capabilities", "at least one of issue, convert")
	}
	var cats []Category
	for i, c := range in.Categories {
		cat, err := ParseCategory(c)
		if err != nil {
			v.Add("categories["+itoa(i)+"]", "unknown category")
			continue
		}
		if !seen["cat:"+c] {
			seen["cat:"+c] = true
			cats = append(cats, cat)
		}
	}
	contact := checkContact(v, in.Contact)
	if seen[string(CapabilityIssue)] && len(cats) == 0 {
		v.Add("categories", "an issuing institution needs at least one category")
	}
	if err := v.Err(); err != nil {
		return Institution{}, err
	}
	return Institution{
		ID: NewID(), Name: name, Kind: kind, Region: region,
		Capabilities: caps, Categories: cats, Status: InstitutionActive, CreatedAt: Now(now), Contact: contact,
	}, nil
}

// Can reports whether the institution has a capability and is active.
func (i Institution) Can(c Capability) bool {
	if i.Status != InstitutionActive {
		return false
	}
	for _, x := range i.Capabilities {
		if x == c {
			return true
		}
	}
	return false
}

// CheckIssue says whether the institution may deposit an outcome of a category.
func (i Institution) CheckIssue(c Category) error {
	if i.Status != InstitutionActive {
		return ErrForbidden
	}
	if !i.Can(CapabilityIssue) {
		return ErrForbidden
	}
	for _, x := range i.Categories {
		if x == c {
			return nil
		}
	}
	return Invalid("category", "institution is not registered to issue "+string(c)+" outcomes")
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
