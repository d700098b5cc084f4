package service

import (
	"context"
	"log/slog"
	"net/url"
	"strconv"

	"creditbank/domain"
)

// aligner finds, for each outcome of a CLR, its certification unit and its
// level in the district's framework, reading the framework once and each
// unit once however many outcomes name it.
type aligner struct {
	s         *Service
	framework domain.Framework
	baseURL   string
	units     map[string]*domain.Unit
}

func (s *Service) newAligner(ctx context.Context) (*aligner, error) {
	fw, err := s.Framework(ctx)
	if err != nil {
		return nil, err
	}
	return &aligner{s: s, framework: fw, baseURL: s.transcripts.Issuer(), units: map[string]*domain.Unit{}}, nil
}

// of returns the outcome's alignments: its unit (when it names one) and its
// framework level (when it has one the framework defines).
func (a *aligner) of(ctx context.Context, o domain.Outcome) []obAlignment {
	var out []obAlignment
	if o.UnitCode != "" {
		if u := a.unit(ctx, o.UnitCode); u != nil {
			out = append(out, obAlignment{
				Type: []string{"Alignment"}, TargetName: u.TitleZH + " " + u.TitleEN,
				TargetURL:         a.baseURL + "/api/v1/units/" + url.PathEscape(u.Code),
				TargetDescription: u.LearningOutcomes, TargetFramework: "认证单元 Certification units",
				TargetCode: u.Code, TargetType: "ext:CertificationUnit",
			})
		}
	}
	if lv, ok := a.level(o.Level); ok {
		out = append(out, obAlignment{
			Type: []string{"Alignment"}, TargetName: lv.NameZH + " " + lv.NameEN,
			TargetURL:         a.baseURL + "/api/v1/framework#level-" + strconv.Itoa(lv.Level),
			TargetDescription: lv.Knowledge, TargetFramework: a.framework.NameZH + " " + a.framework.NameEN,
			TargetCode: strconv.Itoa(lv.Level), TargetType: "ext:FrameworkLevel",
		})
	}
	return out
}

func (a *aligner) unit(ctx context.Context, code string) *domain.Unit {
	if u, ok := a.units[code]; ok {
		return u
	}
	u, err := a.s.Unit(ctx, code)
	if err != nil {
		// A unit that cannot be read leaves the outcome unaligned rather
		// than the learner without a record.
		a.s.log.WarnContext(ctx, "credential alignment: unit not read", slog.String("unit", code), slog.Any("err", err))
		a.units[code] = nil
		return nil
	}
	a.units[code] = &u
	return &u
}

func (a *aligner) level(n int) (domain.FrameworkLevel, bool) {
	for _, lv := range a.framework.Levels {
		if lv.Level == n && n > 0 {
			return lv, true
		}
	}
	return domain.FrameworkLevel{}, false
}
