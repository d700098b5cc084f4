package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// checkCatalogueEditor resolves the institution whose catalogue the actor
// edits: its staff with the issue or manage permission, or its API client,
// of an active issuing institution.
func (s *Service) checkCatalogueEditor(ctx context.Context, actor Actor) (*domain.Institution, error) {
	switch {
	case actor.Role == domain.RoleStaff && (actor.Can(domain.PermIssue) || actor.Can(domain.PermManage)):
	case actor.Role == domain.RoleClient:
	default:
		return nil, domain.ErrForbidden
	}
	inst, err := s.store.GetInstitution(ctx, actor.InstitutionID)
	if err != nil {
		return nil, err
	}
	if !inst.Can(domain.CapabilityIssue) {
		return nil, domain.ErrForbidden
	}
	return inst, nil
}

// CourseInput is a catalogue entry as submitted; DecodeProblems are fields
// the caller could not even parse (a malformed date), reported with every
// other problem once the caller is known to be allowed.
type CourseInput struct {
	domain.CourseInput
	DecodeProblems []domain.FieldProblem
}

// validated reports decode and domain problems together.
func (in CourseInput) validated(err error) error {
	if err == nil && len(in.DecodeProblems) == 0 {
		return nil
	}
	v := &domain.ValidationError{}
	collect(v, err)
	if err != nil && len(v.Problems) == 0 {
		return err
	}
	return mergeDecodeProblems(v, in.DecodeProblems).Err()
}

// CreateCourse publishes a course in the actor's institution's catalogue.
func (s *Service) CreateCourse(ctx context.Context, actor Actor, op Op, in CourseInput) (domain.Course, error) {
	inst, err := s.checkCatalogueEditor(ctx, actor)
	if err != nil {
		return domain.Course{}, err
	}
	c, err := domain.NewCourse(in.CourseInput, inst.ID, s.now())
	if err := in.validated(err); err != nil {
		return domain.Course{}, err
	}
	if err := inst.CheckIssue(c.Category); err != nil {
		return domain.Course{}, err
	}
	if err := s.checkCourseUnit(ctx, c); err != nil {
		return domain.Course{}, err
	}
	if err := s.store.CreateCourse(ctx, op.Reservation, &c); err != nil {
		return domain.Course{}, codeTaken(err)
	}
	s.catalogue.invalidate()
	s.audit(ctx, actor, "course.create", "course", c.ID.String(), "code="+c.Code)
	return c, nil
}

// codeTaken names the field a uniqueness conflict is about.
func codeTaken(err error) error {
	if errors.Is(err, domain.ErrConflict) && !errors.Is(err, domain.ErrStale) {
		return domain.Invalid("code", "this institution already has a course with this code")
	}
	return err
}

// editableCourse loads a course of the actor's institution; any other
// institution's course does not exist for the actor.
func (s *Service) editableCourse(ctx context.Context, actor Actor, id uuid.UUID) (*domain.Institution, *domain.Course, error) {
	inst, err := s.checkCatalogueEditor(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.GetCourse(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if c.InstitutionID != inst.ID {
		return nil, nil, domain.ErrNotFound
	}
	return inst, c, nil
}

// UpdateCourse replaces a course's fields. version, when > 0, is the version
// the editor saw: an edit made meanwhile is a conflict (409) for the second
// editor rather than silently overwritten.
func (s *Service) UpdateCourse(ctx context.Context, actor Actor, id uuid.UUID, version int64, in CourseInput) (domain.Course, error) {
	inst, c, err := s.editableCourse(ctx, actor, id)
	if err != nil {
		return domain.Course{}, err
	}
	if err := in.validated(c.Update(in.CourseInput, s.now())); err != nil {
		return domain.Course{}, err
	}
	if version > 0 && c.Version != version {
		return domain.Course{}, domain.ErrStale
	}
	if err := inst.CheckIssue(c.Category); err != nil {
		return domain.Course{}, err
	}
	if err := s.checkCourseUnit(ctx, *c); err != nil {
		return domain.Course{}, err
	}
	if err := s.store.UpdateCourse(ctx, c); err != nil {
		return domain.Course{}, codeTaken(err)
	}
	s.catalogue.invalidate()
	s.audit(ctx, actor, "course.update", "course", c.ID.String(), "code="+c.Code)
	return *c, nil
}

// DeleteCourse withdraws a course from the catalogue. Outcomes issued for it
// keep their own title, code and hours.
// version, when > 0, must still be the stored one, as for UpdateCourse.
func (s *Service) DeleteCourse(ctx context.Context, actor Actor, id uuid.UUID, version int64) error {
	_, c, err := s.editableCourse(ctx, actor, id)
	if err != nil {
		return err
	}
	if version > 0 && c.Version != version {
		return domain.ErrStale
	}
	if err := s.store.DeleteCourse(ctx, id); err != nil {
		return err
	}
	s.catalogue.invalidate()
	s.audit(ctx, actor, "course.delete", "course", id.String(), "code="+c.Code)
	return nil
}

// InstitutionCourses pages the actor's institution's own catalogue.
func (s *Service) InstitutionCourses(ctx context.Context, actor Actor, q domain.CourseQuery, p storage.Page) ([]domain.Course, string, error) {
	inst, err := s.checkCatalogueEditor(ctx, actor)
	if err != nil {
		return nil, "", err
	}
	q.InstitutionID = inst.ID
	return s.store.ListCourses(ctx, q, p.Normalized())
}

// SearchCourses is the public catalogue search.
func (s *Service) SearchCourses(ctx context.Context, q domain.CourseQuery, p storage.Page) ([]domain.Course, string, error) {
	return s.store.ListCourses(ctx, q, p.Normalized())
}

// Course reads one course publicly.
func (s *Service) Course(ctx context.Context, id uuid.UUID) (*domain.Course, error) {
	return s.store.GetCourse(ctx, id)
}

// catalogueTTL bounds how stale another instance's view of the catalogue
// may be: pathways read the whole district catalogue, which is too much to
// load per request, and catalogues change a few times a term.
const catalogueTTL = 30 * time.Second

// catalogueCache holds the district's courses for pathway suggestions, and
// the catalogue prepared from them for one credit policy and one day.
// Writes through this instance drop it at once; other instances' writes
// show within catalogueTTL.
type catalogueCache struct {
	mu      sync.Mutex
	courses []domain.Course
	loaded  time.Time
	gen     uint64 // bumped by invalidate, so a load racing a write is not kept

	prepared      *domain.Catalogue // nil until asked for
	policyVersion int64
	day           time.Time
}

func (c *catalogueCache) invalidate() {
	c.mu.Lock()
	c.courses, c.prepared, c.gen = nil, nil, c.gen+1
	c.mu.Unlock()
}

// preparedCatalogue returns the district catalogue prepared under the policy for
// now's date, from the cache when fresh. The prepared catalogue is only
// read afterwards, so concurrent requests share it.
func (s *Service) preparedCatalogue(ctx context.Context, policy domain.CreditPolicy, now time.Time) (*domain.Catalogue, error) {
	wall := time.Now()
	day := domain.DateOf(now)
	c := &s.catalogue
	c.mu.Lock()
	courses, gen := c.courses, c.gen
	if courses != nil && wall.Sub(c.loaded) >= catalogueTTL {
		courses = nil
	}
	if courses != nil && c.prepared != nil && c.policyVersion == policy.Version && c.day.Equal(day) {
		out := c.prepared
		c.mu.Unlock()
		return out, nil
	}
	c.mu.Unlock()
	if courses == nil {
		courses = []domain.Course{}
		if err := s.store.ScanCourses(ctx, func(x domain.Course) error {
			courses = append(courses, x)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	prepared := domain.NewCatalogue(courses, policy, now)
	c.mu.Lock()
	if c.gen == gen {
		if c.courses == nil || wall.Sub(c.loaded) >= catalogueTTL {
			c.courses, c.loaded = courses, wall
		}
		c.prepared, c.policyVersion, c.day = prepared, policy.Version, day
	}
	c.mu.Unlock()
	return prepared, nil
}

// applyCatalogue fills an outcome from the catalogue course it names, if
// any. A course of another institution is reported like a missing one: the
// issuer may not learn what others publish through this door.
func (s *Service) applyCatalogue(ctx context.Context, inst *domain.Institution, in *IssueInput) error {
	var c *domain.Course
	var field string
	switch {
	case in.CourseID != uuid.Nil:
		field = "courseId"
		got, err := s.store.GetCourse(ctx, in.CourseID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if err == nil && got.InstitutionID == inst.ID {
			c = got
		}
	case in.CatalogueCode != "":
		field = "catalogueCode"
		got, err := s.courseByCode(ctx, inst.ID, in.CatalogueCode)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		c = got
	default:
		return nil
	}
	if c == nil {
		return domain.Invalid(field, "no such course in this institution's catalogue")
	}
	return domain.ApplyCourse(&in.Outcome, *c)
}

// courseByCode finds an institution's course by its exact code.
func (s *Service) courseByCode(ctx context.Context, institutionID uuid.UUID, code string) (*domain.Course, error) {
	q := domain.CourseQuery{Text: code, InstitutionID: institutionID}
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		batch, next, err := s.store.ListCourses(ctx, q, p)
		if err != nil {
			return nil, err
		}
		for i := range batch {
			if batch[i].Code == code {
				return &batch[i], nil
			}
		}
		if next == "" {
			return nil, domain.ErrNotFound
		}
		p.Cursor = next
	}
}
