// Reference data shared by screens: the institution directory and the
// closed vocabularies of the API.

import { getAll } from './api.js';

export const CATEGORIES = ['academic', 'vocational', 'certificate', 'community', 'senior', 'online', 'other'];
export const KINDS = ['community_college', 'vocational_school', 'senior_university', 'open_university',
  'higher_vocational', 'school', 'training_provider'];
export const PERMS = ['issue', 'review', 'manage'];
export const CAPABILITIES = ['issue', 'convert'];

let directory = null;

// institutions returns the public directory, fetched once per page load
// (it changes rarely); reload forces a fresh copy after an admin edit.
export async function institutions(reload = false) {
  if (!directory || reload) directory = getAll('/api/v1/institutions').catch((e) => {
    directory = null;
    throw e;
  });
  return directory;
}

export function byId(list) {
  return new Map(list.map((i) => [i.id, i]));
}
