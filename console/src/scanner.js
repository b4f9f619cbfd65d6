// Reading a QR code from the camera: the browser's BarcodeDetector where it has one, else the ZXing (WebAssembly)
// polyfill, loaded only when the user first scans and served from the console's own files (no CDN).
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

let detector

async function qrDetector() {
  if (detector) return detector
  if ('BarcodeDetector' in globalThis) {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats()
    if (formats.includes('qr_code')) return (detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] }))
  }
  const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill')
  prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } })
  return (detector = new BarcodeDetector({ formats: ['qr_code'] }))
}

// Until a code is read or `signal` aborts: the decoded text.
export async function scan(video, signal) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
  try {
    video.srcObject = stream
    await video.play()
    const reader = await qrDetector()
    while (!signal.aborted) {
      if (video.readyState >= 2) {
        const found = await reader.detect(video)
        if (found.length) return found[0].rawValue
      }
      await new Promise((r) => setTimeout(r, 150))
    }
    return null
  } finally {
    stream.getTracks().forEach((track) => track.stop())
    video.srcObject = null
  }
}

// A scanned link (…/c/{code}) or a code as printed: the code.
export function codeOf(text) {
  const link = /\/c\/([^/?#]+)/.exec(text)
  return link ? decodeURIComponent(link[1]) : text.trim()
}
