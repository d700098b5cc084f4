package record

import (
	"time"

	"creditbank/domain"
)

// VerificationCodeDoc is a paper transcript's short code.
type VerificationCodeDoc struct {
	Code      string    `json:"id" bson:"_id"`
	Token     string    `json:"token" bson:"token"`
	CreatedAt time.Time `json:"createdAt" bson:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt" bson:"expiresAt"`
}

// FromVerificationCode converts a code.
func FromVerificationCode(v *domain.VerificationCode) VerificationCodeDoc {
	return VerificationCodeDoc{Code: v.Code, Token: v.Token, CreatedAt: v.CreatedAt, ExpiresAt: v.ExpiresAt}
}

// ToDomain converts back.
func (d VerificationCodeDoc) ToDomain() (*domain.VerificationCode, error) {
	return &domain.VerificationCode{Code: d.Code, Token: d.Token, CreatedAt: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt)}, nil
}
