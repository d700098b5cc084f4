// When a session ends under someone (both tokens refused), the sign-in page
// says why and, once they sign in again, takes them back to the page they
// were on. The note lives in sessionStorage so that it survives the reload
// or re-render that follows, and only for this tab.

const KEY = 'cb.signedOut';

// noteSignedOut remembers where the person was; the sign-in and
// registration pages are not worth returning to.
export function noteSignedOut(hash) {
  const path = String(hash || '').replace(/^#\/?/, '').split('?')[0];
  const back = path && path !== 'signin' && path !== 'register' ? String(hash) : '';
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ back }));
  } catch {
    // Without storage the person still lands on the sign-in page.
  }
}

// signedOutNote is {back} while a session end is unexplained, else null.
export function signedOutNote() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

// takeReturn hands over the page to go back to, once.
export function takeReturn() {
  const n = signedOutNote();
  sessionStorage.removeItem(KEY);
  return n && n.back ? n.back : '';
}
