package record

import (
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// UserDoc is an admin or staff member; Username is unique.
type UserDoc struct {
	ID            string     `json:"id" bson:"_id"`
	Username      string     `json:"username" bson:"username"`
	PasswordHash  string     `json:"passwordHash" bson:"passwordHash"`
	Role          string     `json:"role" bson:"role"`
	InstitutionID string     `json:"institutionId,omitempty" bson:"institutionId,omitempty"`
	Perms         []string   `json:"perms,omitempty" bson:"perms,omitempty"`
	Status        string     `json:"status" bson:"status"`
	CreatedAt     time.Time  `json:"createdAt" bson:"createdAt"`
	CredentialsAt *time.Time `json:"credentialsChangedAt,omitempty" bson:"credentialsChangedAt,omitempty"`
	// SessionGen is absent (0) in documents written before it existed.
	SessionGen int64 `json:"sessionGen,omitempty" bson:"sessionGen,omitempty"`
}

// FromUser converts a user.
func FromUser(u *domain.User) UserDoc {
	return UserDoc{
		ID:            idString(u.ID),
		Username:      u.Username,
		PasswordHash:  u.PasswordHash,
		Role:          string(u.Role),
		InstitutionID: optIDString(u.InstitutionID),
		Perms:         convertStrings[domain.Perm, string](u.Perms),
		Status:        string(u.Status),
		CreatedAt:     u.CreatedAt,
		CredentialsAt: optTime(u.CredentialsChangedAt),
		SessionGen:    u.SessionGen,
	}
}

// ToDomain converts back.
func (d UserDoc) ToDomain() (*domain.User, error) {
	id, err := parseID("user id", d.ID)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("user institutionId", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	return &domain.User{
		ID:                   id,
		Username:             d.Username,
		PasswordHash:         d.PasswordHash,
		Role:                 domain.Role(d.Role),
		InstitutionID:        inst,
		Perms:                convertStrings[string, domain.Perm](d.Perms),
		Status:               domain.UserStatus(d.Status),
		CreatedAt:            utc(d.CreatedAt),
		CredentialsChangedAt: optTime(d.CredentialsAt),
		SessionGen:           d.SessionGen,
	}, nil
}

// APIClientDoc is an institution's machine credential; ClientID is unique.
type APIClientDoc struct {
	ID            string    `json:"id" bson:"_id"`
	ClientID      string    `json:"clientId" bson:"clientId"`
	SecretHash    string    `json:"secretHash" bson:"secretHash"`
	InstitutionID string    `json:"institutionId" bson:"institutionId"`
	Status        string    `json:"status" bson:"status"`
	CreatedAt     time.Time `json:"createdAt" bson:"createdAt"`
}

// FromAPIClient converts an API client.
func FromAPIClient(c *domain.APIClient) APIClientDoc {
	return APIClientDoc{
		ID:            idString(c.ID),
		ClientID:      c.ClientID,
		SecretHash:    c.SecretHash,
		InstitutionID: idString(c.InstitutionID),
		Status:        string(c.Status),
		CreatedAt:     c.CreatedAt,
	}
}

// ToDomain converts back.
func (d APIClientDoc) ToDomain() (*domain.APIClient, error) {
	id, err := parseID("client id", d.ID)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("client institutionId", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	return &domain.APIClient{
		ID:            id,
		ClientID:      d.ClientID,
		SecretHash:    d.SecretHash,
		InstitutionID: inst,
		Status:        domain.UserStatus(d.Status),
		CreatedAt:     utc(d.CreatedAt),
	}, nil
}

// RefreshTokenDoc is a hashed refresh token; the hash is the key.
type RefreshTokenDoc struct {
	Hash          string     `json:"id" bson:"_id"`
	FamilyID      string     `json:"familyId" bson:"familyId"`
	Subject       string     `json:"subject" bson:"subject"`
	Role          string     `json:"role" bson:"role"`
	InstitutionID string     `json:"institutionId,omitempty" bson:"institutionId,omitempty"`
	CreatedAt     time.Time  `json:"createdAt" bson:"createdAt"`
	ExpiresAt     time.Time  `json:"expiresAt" bson:"expiresAt"`
	UsedAt        *time.Time `json:"usedAt,omitempty" bson:"usedAt,omitempty"`
	Revoked       bool       `json:"revoked" bson:"revoked"`
	SessionGen    int64      `json:"sessionGen,omitempty" bson:"sessionGen,omitempty"`
}

// FromRefreshToken converts a refresh token.
func FromRefreshToken(t *storage.RefreshToken) RefreshTokenDoc {
	return RefreshTokenDoc{
		Hash:          t.Hash,
		FamilyID:      idString(t.FamilyID),
		Subject:       idString(t.Subject),
		Role:          string(t.Role),
		InstitutionID: optIDString(t.InstitutionID),
		CreatedAt:     t.CreatedAt,
		ExpiresAt:     t.ExpiresAt,
		UsedAt:        optTime(t.UsedAt),
		Revoked:       t.Revoked,
		SessionGen:    t.SessionGen,
	}
}

// ToDomain converts back.
func (d RefreshTokenDoc) ToDomain() (*storage.RefreshToken, error) {
	family, err := parseID("refresh familyId", d.FamilyID)
	if err != nil {
		return nil, err
	}
	subject, err := parseID("refresh subject", d.Subject)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("refresh institutionId", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	return &storage.RefreshToken{
		Hash:          d.Hash,
		FamilyID:      family,
		Subject:       subject,
		Role:          domain.Role(d.Role),
		InstitutionID: inst,
		CreatedAt:     utc(d.CreatedAt),
		ExpiresAt:     utc(d.ExpiresAt),
		UsedAt:        optTime(d.UsedAt),
		Revoked:       d.Revoked,
		SessionGen:    d.SessionGen,
	}, nil
}
