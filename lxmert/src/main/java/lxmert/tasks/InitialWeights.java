package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A fine-tuning model's initial weights: from scratch, the LXMERT encoder ({@code --load-lxmert}), the encoder
 * plus the QA answer head through answer-table surgery ({@code --load-lxmert-qa}), or a task snapshot
 * ({@code --load}).
 */
final class InitialWeights {
    private InitialWeights() {}

    /**
     * Initialises {@code net} as {@code opt.weights()} says; {@code message} receives the loading report. When
     * resuming, nothing is loaded here: the training loop overwrites every parameter from {@code LAST.resume.pth}.
     */
    static void load(FinetuneOptions opt, TaskNet net, List<String> label2ans, Consumer<String> message) throws IOException {
        if (opt.resume()) {
            message.accept("weights: from " + opt.output().resolve(lxmert.train.ResumeFile.NAME) + " (--resume: model and optimizer state"
                    + (opt.weightsPath() == null ? ")" : "; " + opt.weightsPath() + " is not loaded)"));
            return;
        }
        Map<String, NDArray> params = net.module().namedParameters();
        switch (opt.weights()) {
            case FROM_SCRATCH:
                message.accept("weights: from scratch (seed " + opt.seed() + ")");
                break;
            case LXMERT: {
                Map<String, Tensor> ck = ModelWeights.readCanonical(lxmert.tasks.pretrain.PretrainCheckpoint.resolve(opt.weightsPath()));
                Map<String, NDArray> enc = encoderParams(params);
                LoadReport r = ModelWeights.load(enc, ck, k -> !k.startsWith("bert."));
                message.accept("Load LXMERT pre-trained model from " + opt.weightsPath() + "\n" + r);
                if (r.missing().size() == enc.size()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": holds no LXRT encoder weights (bert.*)");
                }
                if (!r.mismatched().isEmpty()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": shapes do not match the config: " + r.mismatched());
                }
                break;
            }
            case LXMERT_QA:
                opt.task().recipe().loadLxmertQa(opt, params, label2ans, message);
                break;
            case BERT: // the original's from_pretrained("bert-base-uncased") when no LXMERT weights are given
                message.accept(lxmert.tasks.pretrain.BertInit.load(params, opt.weightsPath()).describe());
                break;
            case SNAPSHOT: {
                Path p = Snapshots.resolveLoad(opt.weightsPath());
                Map<String, Tensor> ck = ModelWeights.readCanonical(p);
                LoadReport r = ModelWeights.load(params, ck, k -> false);
                if (!r.isClean()) throw new IllegalArgumentException(p + ": does not fit the " + opt.task().id + " model\n" + r);
                message.accept("Load model from " + p);
                break;
            }
            default:
                throw new IllegalStateException();
        }
    }

    static Map<String, NDArray> encoderParams(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> { if (k.startsWith("bert.")) out.put(k, v); });
        return out;
    }
}
