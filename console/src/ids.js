// Ids the phone makes for what it records offline: ULIDs (time-ordered, 26 Crockford base-32 characters).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export function ulid(now = Date.now()) {
  let time = ''
  for (let i = 0, t = now; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time
  const random = crypto.getRandomValues(new Uint8Array(16))
  let tail = ''
  for (let i = 0; i < 16; i++) tail += ALPHABET[random[i] % 32]
  return time + tail
}

export async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
