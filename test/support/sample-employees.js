// Sample employees with generated photos, created through the API's own JSON endpoints, so seeded
// data takes exactly the path a client's does (validation, resizing, conditional writes).
import sharp from 'sharp';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Barbara',
  'Donald',
  'Edsger',
  'Frances',
  'Ken',
  'Margaret',
  'Radia',
  'Tim',
  'Leslie',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Liskov',
  'Knuth',
  'Dijkstra',
  'Allen',
  'Thompson',
  'Hamilton',
  'Perlman',
  'Berners-Lee',
  'Lamport',
];
const LOCATIONS = [
  'Seattle',
  'Dublin',
  'Sydney',
  'São Paulo',
  'Tokyo',
  'Cape Town',
  'Berlin',
  'Toronto',
];
const TITLES = ['Engineer', 'Designer', 'Support Lead', 'Data Scientist', 'Product Manager', 'SRE'];
const BADGE_KEYS = [
  'apple',
  'windows',
  'linux',
  'video-camera',
  'trophy',
  'camera',
  'plane',
  'paperclip',
  'coffee',
  'gamepad',
  'bug',
  'umbrella',
];

/**
 * A deterministic sample person for index `i`.
 * @param {number} i
 */
export function sampleEmployee(i) {
  const pick = (/** @type {string[]} */ list, /** @type {number} */ salt) =>
    list[(i * 7 + salt) % list.length] ?? '';
  return {
    fullName: `${pick(FIRST, 0)} ${pick(LAST, i % 5)}${i >= FIRST.length ? ` ${i}` : ''}`,
    location: pick(LOCATIONS, 3),
    jobTitle: pick(TITLES, 1),
    badges: BADGE_KEYS.filter((_, b) => (i + b) % 4 === 0),
  };
}

/**
 * A JPEG portrait with the person's initials, sized unlike the 120×160 target so resizing is real.
 * @param {string} fullName
 * @param {number} hue
 */
export async function samplePhoto(fullName, hue) {
  const initials = fullName
    .split(' ')
    .slice(0, 2)
    .map((word) => word[0] ?? '')
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400">
    <rect width="300" height="400" fill="hsl(${hue % 360},55%,55%)"/>
    <circle cx="150" cy="150" r="80" fill="hsl(${hue % 360},40%,85%)"/>
    <text x="150" y="330" font-size="72" text-anchor="middle" fill="#fff" font-family="sans-serif">${initials}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/**
 * Creates `count` employees through the API; every other one gets a photo.
 * @param {string} apiUrl
 * @param {number} count
 * @param {string} token an access token with the editor role (the demo machine client's)
 * @returns {Promise<number>} how many were created
 */
export async function seedEmployees(apiUrl, count, token) {
  const auth = { authorization: `Bearer ${token}` };
  let created = 0;
  for (let i = 0; i < count; i += 1) {
    const person = sampleEmployee(i);
    const response = await fetch(`${apiUrl}/api/employees`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(person),
    });
    if (response.status !== 201)
      throw new Error(
        `seeding ${person.fullName}: HTTP ${response.status} ${await response.text()}`,
      );
    const employee = /** @type {{ id: string }} */ (await response.json());
    if (i % 2 === 0) {
      const photo = await fetch(`${apiUrl}/api/employees/${employee.id}/photo`, {
        method: 'PUT',
        headers: { 'content-type': 'image/jpeg', ...auth },
        body: await samplePhoto(person.fullName, i * 47),
      });
      if (!photo.ok)
        throw new Error(`photo for ${person.fullName}: HTTP ${photo.status} ${await photo.text()}`);
    }
    created += 1;
  }
  return created;
}
