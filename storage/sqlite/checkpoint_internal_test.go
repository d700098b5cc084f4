package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditbank/domain"
)

// Under writes that never pause, the log is still copied into the file and
// restarted from its beginning: it stays a few megabytes instead of growing
// with every write, and the checkpointed file holds every committed write.
func TestLogStaysBoundedUnderSustainedWrites(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "bank.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	const accounts, writers, writesEach = 500, 16, 400
	ids := make([]*domain.Account, accounts)
	for i := range ids {
		a := &domain.Account{ID: domain.NewID(), Name: fmt.Sprintf("学员%d", i), Status: domain.AccountStatus("active"), CreatedAt: time.Now().UTC()}
		if err := s.CreateAccount(ctx, nil, a); err != nil {
			t.Fatal(err)
		}
		ids[i] = a
	}
	var maxWAL atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > maxWAL.Load() {
				maxWAL.Store(fi.Size())
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var saved atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < writesEach; i++ {
				id := ids[(w*writesEach+i)%accounts].ID
				for {
					a, err := s.GetAccount(ctx, id)
					if err != nil {
						t.Error(err)
						return
					}
					a.Name = fmt.Sprintf("学员 %d/%d", w, i)
					err = s.UpdateAccount(ctx, nil, a)
					if err == nil {
						saved.Add(1)
						break
					}
					if err != domain.ErrStale {
						t.Error(err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	<-sampled
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if saved.Load() != writers*writesEach {
		t.Fatalf("%d writes saved, want %d", saved.Load(), writers*writesEach)
	}
	// 6 400 writes to accounts spread over many pages make a log of tens
	// of megabytes if it were never restarted.
	if maxWAL.Load() > 8<<20 {
		t.Fatalf("the log grew to %d bytes", maxWAL.Load())
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var versions int64
	for _, a := range ids {
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		versions += got.Version - 1
	}
	if versions != writers*writesEach {
		t.Fatalf("the reopened file holds %d updates, want %d", versions, writers*writesEach)
	}
	t.Logf("largest log seen: %d kB", maxWAL.Load()>>10)
}

// A full checkpoint (shutdown, backup) while saves keep the checkpointer
// busy waits for it instead of failing as busy.
func TestFullCheckpointWaitsForTheCheckpointer(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "bank.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers = 8
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		a := &domain.Account{ID: domain.NewID(), Name: "学员", Status: domain.AccountStatus("active"), CreatedAt: time.Now().UTC()}
		if err := s.CreateAccount(ctx, nil, a); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer owns its account and saves from its own copy, so
			// no reader holds the log while the full checkpoint runs.
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a.Name = fmt.Sprintf("学员 %d %s", i, strings.Repeat("长", 3000))
				if err := s.UpdateAccount(ctx, nil, a); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := 0; i < 300; i++ {
		time.Sleep(time.Duration(i%7) * time.Millisecond)
		if err := s.Checkpoint(ctx); err != nil {
			t.Fatalf("full checkpoint %d: %v", i, err)
		}
	}
}
