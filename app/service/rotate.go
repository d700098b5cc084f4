package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/domain"
)

// accountByNationalID finds a learner's account by the keyed hash of their
// national ID. While a master-key rotation is under way an account may
// still be filed under an older key's hash; the vault lists those first.
func (s *Service) accountByNationalID(ctx context.Context, id domain.NationalID) (*domain.Account, error) {
	hashes := s.vault.LookupHashes(string(id))
	for i, h := range hashes {
		acc, err := s.store.GetAccountByNationalIDHash(ctx, h)
		if err == nil || !errors.Is(err, domain.ErrNotFound) || i == len(hashes)-1 {
			return acc, err
		}
	}
	return nil, domain.ErrNotFound
}

// ResealReport is what ResealAccounts did.
type ResealReport struct {
	Accounts int // accounts in the store at the last pass
	Resealed int // accounts re-sealed by this run
	// Remaining accounts still under an older key when the run stopped at
	// its limit; zero when Complete.
	Remaining int
	// Complete: a full pass found every account sealed and hashed under
	// the current master key.
	Complete bool
}

// maxResealPasses bounds the passes over the store: each re-seals what the
// one before found; a later pass finds only accounts a process still
// sealing with an older key wrote meanwhile.
const maxResealPasses = 3

// resealProgressEvery is how often ResealAccounts reports progress.
const resealProgressEvery = 100

// ResealAccounts seals every account's national ID and phone again under
// the vault's current master key and re-files it under the current key's
// lookup hash, one compare-and-swap write per account. Accounts already
// done are skipped, so an interrupted run is resumed by running it again.
// limit > 0 stops after that many accounts (an operator may spread the work
// over several runs). progress, when not nil, hears how far it got every
// resealProgressEvery accounts. A value no key of the vault opens stops
// the run.
func (s *Service) ResealAccounts(ctx context.Context, limit int, progress func(resealed, stale int)) (ResealReport, error) {
	var rep ResealReport
	for pass := 0; pass < maxResealPasses; pass++ {
		stale, total, err := s.staleAccounts(ctx)
		rep.Accounts = total
		if err != nil {
			return rep, err
		}
		if len(stale) == 0 {
			rep.Complete = true
			return rep, nil
		}
		for i, id := range stale {
			if limit > 0 && rep.Resealed >= limit {
				rep.Remaining = len(stale) - i
				return rep, nil
			}
			_, err := s.updateAccount(ctx, id, s.reseal)
			switch {
			case errors.Is(err, errAlreadyDone):
			case errors.Is(err, domain.ErrNotFound):
				// Nothing deletes accounts; a concurrent restore might.
			case err != nil:
				return rep, fmt.Errorf("re-seal account %s: %w", id, err)
			default:
				rep.Resealed++
				if progress != nil && rep.Resealed%resealProgressEvery == 0 {
					progress(rep.Resealed, len(stale))
				}
			}
		}
	}
	return rep, errors.New("accounts are still being written under an older master key: stop servers that run with only the old key, then run again")
}

// staleAccounts lists the accounts with a value not sealed, or a hash not
// computed, with the current master key.
func (s *Service) staleAccounts(ctx context.Context) ([]uuid.UUID, int, error) {
	var stale []uuid.UUID
	total := 0
	err := s.store.ScanAccounts(ctx, func(a *domain.Account) error {
		total++
		current, err := s.sealedByCurrent(a)
		if err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
		if !current {
			stale = append(stale, a.ID)
		}
		return nil
	})
	return stale, total, err
}

// sealedByCurrent also opens the national ID, both to compare its hash and
// to fail before any write on a value that no key opens.
func (s *Service) sealedByCurrent(a *domain.Account) (bool, error) {
	current := true
	if a.PII.NationalIDSealed != "" {
		nid, err := s.vault.Open("national-id", a.PII.NationalIDSealed)
		if err != nil {
			return false, fmt.Errorf("national ID: %w", err)
		}
		current = s.vault.SealedByCurrent(a.PII.NationalIDSealed) && a.PII.NationalIDHash == s.vault.LookupHash(nid)
	}
	if a.PII.PhoneSealed != "" && !s.vault.SealedByCurrent(a.PII.PhoneSealed) {
		if _, err := s.vault.Open("phone", a.PII.PhoneSealed); err != nil {
			return false, fmt.Errorf("phone: %w", err)
		}
		current = false
	}
	return current, nil
}

// reseal is the account change of ResealAccounts; errAlreadyDone when the
// account is current already (someone else re-sealed it, or a retry).
func (s *Service) reseal(a *domain.Account) error {
	changed := false
	if a.PII.NationalIDSealed != "" {
		nid, err := s.vault.Open("national-id", a.PII.NationalIDSealed)
		if err != nil {
			return fmt.Errorf("national ID: %w", err)
		}
		if !s.vault.SealedByCurrent(a.PII.NationalIDSealed) {
			if a.PII.NationalIDSealed, err = s.vault.Seal("national-id", nid); err != nil {
				return err
			}
			changed = true
		}
		if h := s.vault.LookupHash(nid); h != a.PII.NationalIDHash {
			a.PII.NationalIDHash, changed = h, true
		}
	}
	if a.PII.PhoneSealed != "" && !s.vault.SealedByCurrent(a.PII.PhoneSealed) {
		phone, err := s.vault.Open("phone", a.PII.PhoneSealed)
		if err != nil {
			return fmt.Errorf("phone: %w", err)
		}
		if a.PII.PhoneSealed, err = s.vault.Seal("phone", phone); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return errAlreadyDone
	}
	return nil
}

// AuditMasterKeyRotation records a finished rotation; the key id is a
// fingerprint, not the key.
func (s *Service) AuditMasterKeyRotation(ctx context.Context, keyID string, rep ResealReport, signingKeys int) {
	s.audit(ctx, Actor{}, "keys.rotate_master", "master-key", keyID,
		fmt.Sprintf("accounts=%d resealed=%d signingKeys=%d", rep.Accounts, rep.Resealed, signingKeys))
}
