import { afterEach, describe, expect, it } from 'vitest';
import { tf, initEngine, engineInfo } from '../src/index.js';

const saved = process.env.SNN_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.SNN_BACKEND;
  else process.env.SNN_BACKEND = saved;
});

async function tfjsNodeLoads(): Promise<boolean> {
  try {
    const spec = '@tensorflow/tfjs-node';
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    await import(spec);
    return tf.findBackendFactory('tensorflow') != null;
  } catch {
    return false;
  }
}

describe('engine selection', () => {
  it('SNN_BACKEND=cpu selects cpu, and engineInfo records it', async () => {
    process.env.SNN_BACKEND = 'cpu';
    const info = await initEngine({ backend: 'wasm', quiet: true });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(engineInfo()).toEqual(info);
    expect(info.version).toBe(tf.version_core);
  });

  it('wasm starts from any cwd and reports simd and our kernels', async () => {
    delete process.env.SNN_BACKEND;
    const cwd = process.cwd();
    process.chdir('/');
    try {
      const info = await initEngine({ backend: 'wasm', quiet: true });
      expect(info.name).toBe('wasm');
      expect(info.customKernels).toBe(true);
      expect(typeof info.simd).toBe('boolean');
      expect(tf.getBackend()).toBe('wasm');
      // idempotent
      expect(await initEngine({ backend: 'wasm', quiet: true })).toBe(info);
    } finally {
      process.chdir(cwd);
    }
  });

  it('SNN_BACKEND=tensorflow fails with a message naming the fix when tfjs-node cannot load', async () => {
    if (await tfjsNodeLoads()) return; // a machine where the native binding works
    process.env.SNN_BACKEND = 'tensorflow';
    await expect(initEngine({ quiet: true })).rejects.toThrow(/tfjs-node did not load.*pnpm install.*setup-native/s);
  });

  it('an unknown SNN_BACKEND is an error, not a fallback', async () => {
    process.env.SNN_BACKEND = 'webgpu';
    await expect(initEngine({ quiet: true })).rejects.toThrow(/unknown engine/);
  });

  it('the automatic choice falls back past tensorflow to wasm here', async () => {
    delete process.env.SNN_BACKEND;
    if (await tfjsNodeLoads()) return;
    // a fresh auto request after an explicit one switches back to the best engine
    await initEngine({ backend: 'cpu', quiet: true });
    const info = await initEngine({ quiet: true });
    expect(['wasm', 'cpu']).toContain(info.name);
  });

  it('registers op gradients on the shared tfjs-core instance', () => {
    expect(tf.getGradient('Sum')).toBeDefined();
    expect(tf.getGradient('Conv2D')).toBeDefined();
  });
});
