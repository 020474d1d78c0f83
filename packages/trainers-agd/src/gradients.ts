// LOCAL WORKAROUND (belongs in @snn/backend; reported): tfjs-core registers no op gradients on
// import, and its ES-module file that does (`dist/register_all_gradients.js`) uses extensionless and
// directory imports that Node's own ESM resolver (tsx, i.e. every stage) rejects; only vitest's
// resolver accepts them. We add a resolve hook that retries such specifiers inside tfjs-core's dist
// with `.js` / `/index.js`, then import the file once. The gradient registry and the engine are
// process globals in tfjs-core (getGlobal / _tfengine), so registering from this copy of the
// sources serves the `tf` that @snn/backend exports.
import { register } from 'node:module';
import { tf } from '@snn/backend';

const HOOK = `
export async function resolve(spec, ctx, next) {
  try { return await next(spec, ctx); } catch (e) {
    const inCore = (ctx.parentURL ?? '').includes('/tfjs-core/dist/') || spec.includes('@tensorflow/tfjs-core/dist/');
    if (inCore && !/\\.m?js$/.test(spec)) {
      for (const s of [spec + '.js', spec + '/index.js']) { try { return await next(s, ctx); } catch {} }
    }
    throw e;
  }
}`;

let pending: Promise<void> | null = null;

/** Make sure tfjs-core's gradients are registered (idempotent; call before training). */
export function ensureGradients(): Promise<void> {
  if (tf.getGradient('Add') != null) return Promise.resolve();
  pending ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url);
    const spec = '@tensorflow/tfjs-core/dist/register_all_gradients';
    await import(/* @vite-ignore */ spec);
    if (tf.getGradient('Add') == null) throw new Error('tfjs-core gradients could not be registered');
  })();
  return pending;
}
