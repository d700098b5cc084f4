package record

import (
	"time"

	"creditbank/domain"
)

// InstitutionDoc is a registered institution.
type InstitutionDoc struct {
	ID           string    `json:"id" bson:"_id"`
	Version      int64     `json:"version" bson:"version"`
	Name         string    `json:"name" bson:"name"`
	Kind         string    `json:"kind" bson:"kind"`
	Region       string    `json:"region,omitempty" bson:"region,omitempty"`
	Capabilities []string  `json:"capabilities,omitempty" bson:"capabilities,omitempty"`
	Categories   []string  `json:"categories,omitempty" bson:"categories,omitempty"`
	Status       string    `json:"status" bson:"status"`
	CreatedAt    time.Time `json:"createdAt" bson:"createdAt"`
	SessionGen   int64     `json:"sessionGen,omitempty" bson:"sessionGen,omitempty"`
	Address      string    `json:"address,omitempty" bson:"address,omitempty"`
	Phone        string    `json:"phone,omitempty" bson:"phone,omitempty"`
	Website      string    `json:"website,omitempty" bson:"website,omitempty"`
}

// FromInstitution converts an institution.
func FromInstitution(i *domain.Institution) InstitutionDoc {
	return InstitutionDoc{
		ID:           idString(i.ID),
		Version:      i.Version,
		Name:         i.Name,
		Kind:         string(i.Kind),
		Region:       i.Region,
		Capabilities: convertStrings[domain.Capability, string](i.Capabilities),
		Categories:   convertStrings[domain.Category, string](i.Categories),
		Status:       string(i.Status),
		CreatedAt:    i.CreatedAt,
		SessionGen:   i.SessionGen,
		Address:      i.Contact.Address,
		Phone:        i.Contact.Phone,
		Website:      i.Contact.Website,
	}
}

// ToDomain converts back.
func (d InstitutionDoc) ToDomain() (*domain.Institution, error) {
	id, err := parseID("institution id", d.ID)
	if err != nil {
		return nil, err
	}
	return &domain.Institution{
		ID:           id,
		Version:      d.Version,
		Name:         d.Name,
		Kind:         domain.InstitutionKind(d.Kind),
		Region:       d.Region,
		Capabilities: convertStrings[string, domain.Capability](d.Capabilities),
		Categories:   convertStrings[string, domain.Category](d.Categories),
		Status:       domain.InstitutionStatus(d.Status),
		CreatedAt:    utc(d.CreatedAt),
		SessionGen:   d.SessionGen,
		Contact:      domain.Contact{Address: d.Address, Phone: d.Phone, Website: d.Website},
	}, nil
}
