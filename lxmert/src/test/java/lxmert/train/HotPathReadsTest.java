package lxmert.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The static half of "no device-to-host read on the hot path" (the counted half is
 * {@code DataParallelFinetuneTest.oneReadPerLogIntervalNoneInsideSteps}, which only sees reads made through
 * {@link lxmert.util.HostReads}): the sources a training step runs through (the trainer, data parallel, the running
 * sums, the loop, the fine-tuning and pretraining tasks and losses, the model's layers, the batch copies) contain
 * no call that copies an engine array to Java memory; BertAdam's only ones are its host-returning helpers ({@code static double ...}), which the
 * trainer does not call. A new {@code getFloat()} in a step fails here; a read through {@code HostReads} is allowed.
 */
class HotPathReadsTest {
    static final Pattern READ = Pattern.compile(
            "\\.(toFloatArray|toDoubleArray|toLongArray|toIntArray|toBooleanArray|toByteBuffer|toArray|getFloat|getDouble|getLong|getInt|getBoolean)\\(\\)");
    static final Path SRC = Path.of("src/main/java/lxmert");

    static List<String> hits(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.strip().startsWith("*") || l.strip().startsWith("//")) continue;
            if (READ.matcher(l).find()) out.add(file + ":" + (i + 1) + ": " + l.strip());
        }
        return out;
    }

    @Test
    void trainingStepSourcesReadNothingToTheHost() throws IOException {
        if (!Files.isDirectory(SRC)) {
            org.junit.jupiter.api.Assumptions.abort("sources not found at " + SRC.toAbsolutePath() + " (run from the lxmert module)");
        }
        List<Path> files = new ArrayList<>(List.of(SRC.resolve("train/Trainer.java"), SRC.resolve("train/DataParallel.java"),
                SRC.resolve("train/RunningSums.java"), SRC.resolve("train/TrainingLoop.java"), SRC.resolve("train/Grad.java"),
                SRC.resolve("tasks/FinetuneTask.java"), SRC.resolve("tasks/TaskNet.java"), SRC.resolve("util/NdArrays.java"),
                SRC.resolve("tasks/pretrain/PretrainTask.java"), SRC.resolve("tasks/pretrain/PretrainLoss.java"),
                SRC.resolve("tasks/pretrain/PretrainBatch.java")));
        try (Stream<Path> s = Files.list(SRC.resolve("model"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        assertTrue(files.size() > 10, "the model's sources are scanned: " + files);
        List<String> bad = new ArrayList<>();
        for (Path f : files) bad.addAll(hits(f));
        assertTrue(bad.isEmpty(), "device-to-host reads on the training step's path (route metrics through RunningSums/HostReads):\n"
                + String.join("\n", bad));
    }

    /**
     * The fine-tuning recipes' step-path methods ({@code targets}, {@code lossSum}, {@code lossCount}, {@code scoreSum},
     * which {@code FinetuneTask} and {@code TaskNet} call in every step) read nothing to the host; the rest of those
     * files is not on the step's path (QaRecipe's answer-head surgery reads weights when loading them).
     */
    @Test
    void recipeStepMethodsReadNothingToTheHost() throws IOException {
        List<String> names = List.of("targets", "lossSum", "lossCount", "scoreSum");
        Pattern decl = Pattern.compile("^    [^\\s=;/*@][^=;]*\\b(\\w+)\\([^;]*$"); // a method of the top-level class, not abstract
        List<String> bad = new ArrayList<>();
        for (String name : List.of("tasks/QaRecipe.java", "tasks/Nlvr2Recipe.java")) {
            Path f = SRC.resolve(name);
            if (!Files.isRegularFile(f)) org.junit.jupiter.api.Assumptions.abort("sources not found at " + f.toAbsolutePath());
            List<String> lines = Files.readAllLines(f), found = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                java.util.regex.Matcher m = decl.matcher(lines.get(i));
                if (!m.matches() || !names.contains(m.group(1))) continue;
                found.add(m.group(1));
                for (int j = i + 1; j < lines.size() && !lines.get(j).equals("    }"); j++) {
                    if (READ.matcher(lines.get(j)).find()) bad.add(f + ":" + (j + 1) + " in " + m.group(1) + ": " + lines.get(j).strip());
                }
            }
            assertTrue(found.containsAll(names), f + ": step methods found " + found + " of " + names);
        }
        assertTrue(bad.isEmpty(), "device-to-host reads in the recipes' step methods:\n" + String.join("\n", bad));
    }

    @Test
    void bertAdamReadsOnlyInItsHostHelpers() throws IOException {
        Path f = SRC.resolve("train/BertAdam.java");
        if (!Files.isRegularFile(f)) org.junit.jupiter.api.Assumptions.abort("sources not found at " + f.toAbsolutePath());
        List<String> lines = Files.readAllLines(f);
        Pattern method = Pattern.compile("^\\s*(public|private|protected|static)[^=;]*\\(.*");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("*") || !READ.matcher(lines.get(i)).find()) continue;
            int j = i;
            while (j >= 0 && !method.matcher(lines.get(j)).matches()) j--;
            if (j < 0 || !lines.get(j).contains("static double")) bad.add(f + ":" + (i + 1) + " in " + (j < 0 ? "?" : lines.get(j).strip()));
        }
        assertTrue(bad.isEmpty(), "BertAdam reads to the host outside its host helpers:\n" + String.join("\n", bad));
    }
}
