// Gradients: @snn/backend registers tfjs' op gradients (tfjs-core alone has none).
import { initEngine, type EngineInfo } from '@snn/backend';

/** Tests run on the pure-JS cpu backend (small shapes; SNN_BACKEND overrides). */
export async function useTestEngine(): Promise<EngineInfo> {
  return initEngine({ backend: 'cpu', quiet: true });
}
