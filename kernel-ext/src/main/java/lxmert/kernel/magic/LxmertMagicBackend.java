package lxmert.kernel.magic;

/**
 * What the {@code %lxmert} magics call: one method per sub-command, each a thin layer over the library API,
 * returning the Java object the notebook gets (a training result with its history, a predictions table, a loaded
 * model...). The magic binds it to a variable when {@code --into} is given.
 *
 * <p>The library integration implements this interface in this module and registers it with
 * {@code META-INF/services/lxmert.kernel.magic.LxmertMagicBackend}; {@link lxmert.kernel.LxmertExtension} picks
 * the first one found, else {@link UnavailableBackend}.
 */
public interface LxmertMagicBackend {
    /** {@code %lxmert synth}. */
    Object synth(MagicOptions.Synth options, MagicCall call) throws Exception;

    /** {@code %lxmert finetune}: should report through {@link MagicCall#progress(String)} and poll interrupts. */
    Object finetune(MagicOptions.Finetune options, MagicCall call) throws Exception;

    /** {@code %lxmert pretrain}: should report through {@link MagicCall#progress(String)} and poll interrupts. */
    default Object pretrain(MagicOptions.Pretrain options, MagicCall call) throws Exception {
        throw new UnsupportedOperationException("%lxmert pretrain is not available in this kernel");
    }

    /** {@code %lxmert test}. */
    Object test(MagicOptions.Test options, MagicCall call) throws Exception;

    /** {@code %lxmert evaluate}. */
    Object evaluate(MagicOptions.Evaluate options, MagicCall call) throws Exception;

    /** {@code %lxmert load}. */
    Object load(MagicOptions.Load options, MagicCall call) throws Exception;
}
