package record

import (
	"fmt"
	"time"

	"github.com/google/uuid"

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

// StatusIndexDoc is an outcome's position in a bitstring status list.
type StatusIndexDoc struct {
	OutcomeID string `json:"outcomeId" bson:"outcomeId"`
	List      string `json:"list" bson:"list"`
	Index     int    `json:"index" bson:"index"`
}

// FromStatusIndex converts a position.
func FromStatusIndex(x domain.StatusIndex) StatusIndexDoc {
	return StatusIndexDoc{OutcomeID: x.OutcomeID.String(), List: x.List, Index: x.Index}
}

// ToDomain converts back.
func (d StatusIndexDoc) ToDomain() (*domain.StatusIndex, error) {
	id, err := uuid.Parse(d.OutcomeID)
	if err != nil || d.List == "" || d.Index < 0 {
		return nil, fmt.Errorf("status index %s/%d: malformed", d.List, d.Index)
	}
	return &domain.StatusIndex{OutcomeID: id, List: d.List, Index: d.Index}, nil
}
