package storetest

import (
	"testing"

	"creditbank/domain"
	"creditbank/storage"
)

// NewInstitution returns a valid active institution.
func NewInstitution(name string) *domain.Institution {
	i, err := domain.NewInstitution(domain.InstitutionInput{
		Name: name, Kind: string(domain.KindCommunityCollege), Region: "朝阳区",
		Capabilities: []string{"issue", "convert"}, Categories: []string{"community", "senior"},
	}, now())
	if err != nil {
		panic(err)
	}
	return &i
}

// NewStaff returns an active staff user of institution inst.
func NewStaff(username string, inst *domain.Institution) *domain.User {
	return &domain.User{
		ID: domain.NewID(), Username: username, PasswordHash: "$argon2id$hash", Role: domain.RoleStaff,
		InstitutionID: inst.ID, Perms: []domain.Perm{domain.PermIssue}, Status: domain.UserActive, CreatedAt: now(),
	}
}

// NewClient returns an active API client of institution inst.
func NewClient(clientID string, inst *domain.Institution) *domain.APIClient {
	return &domain.APIClient{
		ID: domain.NewID(), ClientID: clientID, SecretHash: "$argon2id$secret", InstitutionID: inst.ID,
		Status: domain.UserActive, CreatedAt: now(),
	}
}

func institutionTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			i := NewInstitution("朝阳社区学院")
			noErr(t, s.CreateInstitution(t.Context(), nil, i), "create")
			if i.Version != 1 {
				t.Fatalf("version after create = %d, want 1", i.Version)
			}
			got, err := s.GetInstitution(t.Context(), i.ID)
			noErr(t, err, "get")
			deepEqual(t, got, i, "institution")
			wantErr(t, s.CreateInstitution(t.Context(), nil, NewInstitutionWithID(i)), domain.ErrConflict, "same id")
		}},
		{"CASConflict", func(t *testing.T, s storage.Store) {
			i := NewInstitution("开放大学")
			noErr(t, s.CreateInstitution(t.Context(), nil, i), "create")
			stale := *i
			noErr(t, i.SetStatus(domain.InstitutionSuspended), "suspend")
			if i.SessionGen != 1 {
				t.Fatalf("session generation after suspending = %d, want 1", i.SessionGen)
			}
			noErr(t, s.UpdateInstitution(t.Context(), i), "update")
			if i.Version != 2 {
				t.Fatalf("version after update = %d, want 2", i.Version)
			}
			stale.Name = "改名"
			wantErr(t, s.UpdateInstitution(t.Context(), &stale), domain.ErrStale, "stale update")
			got, err := s.GetInstitution(t.Context(), i.ID)
			noErr(t, err, "get")
			deepEqual(t, got, i, "stored institution after a stale update")
		}},
	}
}

// NewInstitutionWithID copies i under a new name but the same ID.
func NewInstitutionWithID(i *domain.Institution) *domain.Institution {
	c := NewInstitution("另一所学校")
	c.ID = i.ID
	return c
}

func userTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			inst := NewInstitution("社区学院")
			u := NewStaff("wang.wu", inst)
			noErr(t, s.CreateUser(t.Context(), nil, u), "create")
			byID, err := s.GetUser(t.Context(), u.ID)
			noErr(t, err, "get")
			deepEqual(t, byID, u, "by id")
			byName, err := s.GetUserByUsername(t.Context(), "wang.wu")
			noErr(t, err, "by username")
			deepEqual(t, byName, u, "by username")
			admin := &domain.User{ID: domain.NewID(), Username: "admin", PasswordHash: "h", Role: domain.RoleAdmin, Status: domain.UserActive, CreatedAt: now()}
			noErr(t, s.CreateUser(t.Context(), nil, admin), "create admin")
			got, err := s.GetUser(t.Context(), admin.ID)
			noErr(t, err, "get admin")
			deepEqual(t, got, admin, "admin without institution")
		}},
		{"UsernameUnique", func(t *testing.T, s storage.Store) {
			inst := NewInstitution("社区学院")
			noErr(t, s.CreateUser(t.Context(), nil, NewStaff("zhao.liu", inst)), "create")
			wantErr(t, s.CreateUser(t.Context(), nil, NewStaff("zhao.liu", inst)), domain.ErrConflict, "same username")
			other := NewStaff("qian.qi", inst)
			noErr(t, s.CreateUser(t.Context(), nil, other), "create other")
			other.Username = "zhao.liu"
			wantErr(t, s.UpdateUser(t.Context(), other), domain.ErrConflict, "rename onto a taken username")
		}},
		{"Update", func(t *testing.T, s storage.Store) {
			u := NewStaff("sun.ba", NewInstitution("社区学院"))
			noErr(t, s.CreateUser(t.Context(), nil, u), "create")
			u.Perms = []domain.Perm{domain.PermReview, domain.PermManage}
			u.SetPassword("$argon2id$other", now())
			noErr(t, u.SetStatus(domain.UserSuspended), "suspend")
			if u.SessionGen != 2 {
				t.Fatalf("session generation after a password change and a suspension = %d, want 2", u.SessionGen)
			}
			noErr(t, s.UpdateUser(t.Context(), u), "update")
			got, err := s.GetUserByUsername(t.Context(), "sun.ba")
			noErr(t, err, "get")
			deepEqual(t, got, u, "updated user")
		}},
	}
}

func clientTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			c := NewClient("cli_001", NewInstitution("职教中心"))
			noErr(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "cli_001")
			noErr(t, err, "get")
			deepEqual(t, got, c, "client")
		}},
		{"ClientIDUnique", func(t *testing.T, s storage.Store) {
			inst := NewInstitution("职教中心")
			noErr(t, s.CreateClient(t.Context(), NewClient("cli_dup", inst)), "create")
			wantErr(t, s.CreateClient(t.Context(), NewClient("cli_dup", inst)), domain.ErrConflict, "same client id")
		}},
		{"Update", func(t *testing.T, s storage.Store) {
			c := NewClient("cli_002", NewInstitution("职教中心"))
			noErr(t, s.CreateClient(t.Context(), c), "create")
			c.Status = domain.UserSuspended
			c.SecretHash = "$argon2id$rotated"
			noErr(t, s.UpdateClient(t.Context(), c), "update")
			got, err := s.GetClient(t.Context(), "cli_002")
			noErr(t, err, "get")
			deepEqual(t, got, c, "updated client")
		}},
	}
}
