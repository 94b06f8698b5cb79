package lxmert.kernel.magic;

/**
 * Placeholder used until the library integration provides a backend: every sub-command fails with a message
 * saying it is not yet available (help works regardless).
 */
public final class UnavailableBackend implements LxmertMagicBackend {
    private static UnsupportedOperationException na(String cmd) {
        return new UnsupportedOperationException("%lxmert " + cmd + " is not yet available in this build: the "
                + "library integration (an LxmertMagicBackend) is not installed");
    }

    @Override
    public Object synth(MagicOptions.Synth options, MagicCall call) {
        throw na("synth");
    }

    @Override
    public Object finetune(MagicOptions.Finetune options, MagicCall call) {
        throw na("finetune");
    }

    @Override
    public Object pretrain(MagicOptions.Pretrain options, MagicCall call) {
        throw na("pretrain");
    }

    @Override
    public Object test(MagicOptions.Test options, MagicCall call) {
        throw na("test");
    }

    @Override
    public Object evaluate(MagicOptions.Evaluate options, MagicCall call) {
        throw na("evaluate");
    }

    @Override
    public Object load(MagicOptions.Load options, MagicCall call) {
        throw na("load");
    }
}
