package lxmert.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import lxmert.bench.PretrainDataBenchmark;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench pretrain-data --dir DIR}: generates (once) a pretraining corpus of the real size, loads it and reports
 * load time, heap and RSS after loading and the host cost of a batch; the last line is one JSON object.
 */
@Command(name = "pretrain-data", mixinStandardHelpOptions = true,
        description = "Generate a real-size pretraining corpus (9.18M sentences, 180K images by default), load it, report time, heap and RSS.")
public final class BenchPretrainDataCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "where the generated corpus lives (reused while the parameters match)") Path dir;
    @Option(names = "--images", defaultValue = "180000", converter = Check.PositiveInt.class, description = "images (default 180000)") int images;
    @Option(names = "--sentences", defaultValue = "9180000", converter = Check.PositiveInt.class, description = "sentences (default 9180000)") int sentences;
    @Option(names = "--feature-files", defaultValue = "1", converter = Check.PositiveInt.class,
            description = "1: mscoco_train; 2: + vgnococo; 3: + mscoco_nominival (one feature TSV each)") int featureFiles;
    @Option(names = "--feat-dim", defaultValue = "8", converter = Check.PositiveInt.class, description = "feature dims (default 8; the real 2048 needs ~55 GB)") int featDim;
    @Option(names = "--boxes", defaultValue = "36", converter = Check.PositiveInt.class, description = "boxes per image (default 36)") int boxes;
    @Option(names = "--batches", defaultValue = "20", converter = Check.PositiveInt.class, description = "batches built after loading (default 20)") int batches;
    @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class, description = "examples per batch (default 256)") int batchSize;
    @Option(names = "--vocab", description = "vocabulary whose whole words make the sentences (default: a generated 30522-entry one)") Path vocab;

    @Override
    public Integer call() throws Exception {
        if (vocab != null) Check.file("--vocab", vocab);
        System.out.println(PretrainDataBenchmark.run(new PretrainDataBenchmark.Options(dir, images, sentences, featureFiles, featDim, boxes,
                batches, batchSize, vocab), System.out));
        return 0;
    }
}
