package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.data.AnswerHeadSurgery;
import lxmert.data.AnswerTable;

import java.io.IOException;
import java.nio.file.Files;
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

    /** Initialises {@code net} as {@code opt.weights()} says; {@code message} receives the loading report. */
    static void load(FinetuneOptions opt, TaskNet net, List<String> label2ans, Consumer<String> message) throws IOException {
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
            case LXMERT_QA: {
                if (!opt.task().isQa()) throw new IllegalArgumentException("--load-lxmert-qa applies to vqa and gqa only");
                Map<String, Tensor> ck = ModelWeights.readCanonical(lxmert.tasks.pretrain.PretrainCheckpoint.resolve(opt.weightsPath()));
                Map<String, NDArray> enc = encoderParams(params);
                LoadReport r = ModelWeights.load(enc, ck, k -> !k.startsWith("bert."));
                if (!r.missing().isEmpty() || !r.mismatched().isEmpty()) {
                    throw new IllegalArgumentException(opt.weightsPath() + ": encoder weights incomplete (the original asserts all are present)\n" + r);
                }
                Path allAns = opt.data().root().resolve("lxmert").resolve("all_ans.json");
                if (!Files.isRegularFile(allAns)) throw new IllegalArgumentException("answer table not found: " + allAns);
                AnswerTable table = AnswerTable.load(allAns, null);
                for (String k : new String[] {"0.weight", "0.bias", "2.weight", "2.bias"}) {
                    Tensor t = ck.get("answer_head.logit_fc." + k);
                    if (t == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc." + k);
                    ModelWeights.copyInto(params.get("logit_fc." + k), t);
                }
                Tensor w = ck.get("answer_head.logit_fc.3.weight");
                Tensor b = ck.get("answer_head.logit_fc.3.bias");
                if (w == null || b == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc.3.*");
                AnswerHeadSurgery.Result s = AnswerHeadSurgery.apply(w.toFloatArray(), b.toFloatArray(), (int) w.shape()[1], table, label2ans);
                ModelWeights.copyInto(params.get("logit_fc.3.weight"),
                        Tensor.ofFloats("w", new long[] {label2ans.size(), w.shape()[1]}, s.weight()));
                ModelWeights.copyInto(params.get("logit_fc.3.bias"), Tensor.ofFloats("b", new long[] {label2ans.size()}, s.bias()));
                message.accept("Load QA pre-trained LXMERT from " + opt.weightsPath() + "\nLoaded " + s.mapped()
                        + " answers from LXRTQA pre-training and " + s.zeroed() + " not");
                break;
            }
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

    private static Map<String, NDArray> encoderParams(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> { if (k.startsWith("bert.")) out.put(k, v); });
        return out;
    }
}
