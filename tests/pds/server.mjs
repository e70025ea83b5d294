// A real Bluesky PDS with its PLC directory, for kanalprofil's publish tests.
//
//   node server.mjs [PORT]        (or PDS_PORT=...; 0 or nothing: any free port)
//
// Listens on 127.0.0.1 only. Prints one JSON line {"url": ..., "plc": ...} on stdout when
// ready, and stops on SIGTERM, SIGINT or when stdin closes (so it never outlives pytest).
import dns from 'node:dns'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import { TestNetworkNoAppView } from '@atproto/dev-env'

const LOOPBACK = '127.0.0.1'

// The PDS and PLC servers call listen(port) without a host, which binds every interface.
// Bind loopback instead, and resolve the "localhost" URLs they use among themselves to it.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK)
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined) {
    args[0] = { ...args[0], host: LOOPBACK }
  }
  return listen.apply(this, args)
}
dns.setDefaultResultOrder('ipv4first')

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    listen.call(server, 0, LOOPBACK, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const port = Number(process.argv[2] || process.env.PDS_PORT || 0) || (await freePort())
const plcPort = await freePort()
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kanalprofil-pds-'))
await fs.mkdir(path.join(dataDir, 'data'), { recursive: true })

const network = await TestNetworkNoAppView.create({
  plc: { port: plcPort },
  pds: {
    port,
    inviteRequired: false,
    dataDirectory: path.join(dataDir, 'data'),
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
  },
})

let closing = false
async function stop(code) {
  if (closing) return
  closing = true
  try {
    await network.close()
  } catch (err) {
    console.error('closing the network failed:', err)
    code = code || 1
  }
  await fs.rm(dataDir, { recursive: true, force: true })
  process.exit(code)
}

process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.stdin.on('end', () => stop(0))
process.stdin.on('close', () => stop(0))
process.stdin.resume()

process.stdout.write(
  JSON.stringify({
    url: `http://${LOOPBACK}:${network.pds.port}`,
    plc: `http://${LOOPBACK}:${network.plc.port}`,
  }) + '\n',
)
