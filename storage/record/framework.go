package record

import (
	"time"

	"creditbank/domain"
)

// FrameworkID is the key of the framework's settings document.
const FrameworkID = "framework"

// FrameworkDoc is the learning-outcomes framework.
type FrameworkDoc struct {
	ID        string              `json:"id" bson:"_id"`
	Version   int64               `json:"version" bson:"version"`
	NameZH    string              `json:"nameZh" bson:"nameZh"`
	NameEN    string              `json:"nameEn" bson:"nameEn"`
	Note      string              `json:"note,omitempty" bson:"note,omitempty"`
	Levels    []FrameworkLevelDoc `json:"levels" bson:"levels"`
	UpdatedAt time.Time           `json:"updatedAt" bson:"updatedAt"`
	UpdatedBy string              `json:"updatedBy,omitempty" bson:"updatedBy,omitempty"`
}

// FrameworkLevelDoc is one level.
type FrameworkLevelDoc struct {
	Level      int    `json:"level" bson:"level"`
	NameZH     string `json:"nameZh" bson:"nameZh"`
	NameEN     string `json:"nameEn" bson:"nameEn"`
	Knowledge  string `json:"knowledge" bson:"knowledge"`
	Skills     string `json:"skills" bson:"skills"`
	Competence string `json:"competence" bson:"competence"`
	EQF        int    `json:"eqf,omitempty" bson:"eqf,omitempty"`
}

// FromFramework converts the framework; its ID is always FrameworkID.
func FromFramework(f *domain.Framework) FrameworkDoc {
	return FrameworkDoc{
		ID: FrameworkID, Version: f.Version, NameZH: f.NameZH, NameEN: f.NameEN, Note: f.Note,
		Levels: mapSlice(f.Levels, func(l domain.FrameworkLevel) FrameworkLevelDoc {
			return FrameworkLevelDoc{Level: l.Level, NameZH: l.NameZH, NameEN: l.NameEN,
				Knowledge: l.Knowledge, Skills: l.Skills, Competence: l.Competence, EQF: l.EQF}
		}),
		UpdatedAt: f.UpdatedAt, UpdatedBy: f.UpdatedBy,
	}
}

// ToDomain converts back.
func (d FrameworkDoc) ToDomain() (*domain.Framework, error) {
	return &domain.Framework{
		NameZH: d.NameZH, NameEN: d.NameEN, Note: d.Note, Version: d.Version,
		Levels: mapSlice(d.Levels, func(l FrameworkLevelDoc) domain.FrameworkLevel {
			return domain.FrameworkLevel{Level: l.Level, NameZH: l.NameZH, NameEN: l.NameEN,
				Knowledge: l.Knowledge, Skills: l.Skills, Competence: l.Competence, EQF: l.EQF}
		}),
		UpdatedAt: utc(d.UpdatedAt), UpdatedBy: d.UpdatedBy,
	}, nil
}

// UnitDoc is one certification unit; the code is its key.
type UnitDoc struct {
	Code             string    `json:"code" bson:"_id"`
	Version          int64     `json:"version" bson:"version"`
	TitleZH          string    `json:"titleZh" bson:"titleZh"`
	TitleEN          string    `json:"titleEn" bson:"titleEn"`
	Level            int       `json:"level" bson:"level"`
	Credits          float64   `json:"credits" bson:"credits"`
	Hours            float64   `json:"hours" bson:"hours"`
	Category         string    `json:"category" bson:"category"`
	LearningOutcomes string    `json:"learningOutcomes" bson:"learningOutcomes"`
	Assessment       string    `json:"assessment" bson:"assessment"`
	QANote           string    `json:"qaNote,omitempty" bson:"qaNote,omitempty"`
	Status           string    `json:"status" bson:"status"`
	CreatedAt        time.Time `json:"createdAt" bson:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt" bson:"updatedAt"`
	UpdatedBy        string    `json:"updatedBy,omitempty" bson:"updatedBy,omitempty"`
}

// FromUnit converts a unit.
func FromUnit(u *domain.Unit) UnitDoc {
	return UnitDoc{
		Code: u.Code, Version: u.Version, TitleZH: u.TitleZH, TitleEN: u.TitleEN, Level: u.Level,
		Credits: u.Credits, Hours: u.Hours, Category: string(u.Category), LearningOutcomes: u.LearningOutcomes,
		Assessment: string(u.Assessment), QANote: u.QANote, Status: string(u.Status),
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, UpdatedBy: u.UpdatedBy,
	}
}

// ToDomain converts back.
func (d UnitDoc) ToDomain() (*domain.Unit, error) {
	return &domain.Unit{
		Code: d.Code, Version: d.Version, TitleZH: d.TitleZH, TitleEN: d.TitleEN, Level: d.Level,
		Credits: d.Credits, Hours: d.Hours, Category: domain.Category(d.Category), LearningOutcomes: d.LearningOutcomes,
		Assessment: domain.AssessmentType(d.Assessment), QANote: d.QANote, Status: domain.UnitStatus(d.Status),
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), UpdatedBy: d.UpdatedBy,
	}, nil
}
