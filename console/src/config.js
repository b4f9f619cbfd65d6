// Where the API is and how to sign in: config.json beside the pages (the stack writes it locally, the deployment to the bucket).
let loaded

export function config() {
  loaded ??= fetch('/config.json', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`config.json: ${r.status}`))))
    .then((c) => {
      localStorage.setItem('agritrace.config', JSON.stringify(c))
      return c
    })
    // Offline (field mode): the config the last visit read.
    .catch((err) => {
      const kept = localStorage.getItem('agritrace.config')
      if (kept) return JSON.parse(kept)
      throw err
    })
  return loaded
}
