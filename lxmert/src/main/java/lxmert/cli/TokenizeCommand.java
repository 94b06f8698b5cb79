package lxmert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.text.BertTokenizer;
import lxmert.text.InputFeatures;
import lxmert.text.SentenceEncoder;
import lxmert.text.Vocab;
import lxmert.util.Check;
import lxmert.util.Errors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lxmert tokenize --vocab FILE [--max-seq-length 20]}: reads one JSON string per line on stdin and
 * writes, per line, the original {@code convert_sents_to_features} result as
 * {@code {"tokens":[...],"input_ids":[...],"input_mask":[...],"segment_ids":[...]}} where {@code tokens}
 * is "[CLS]", the truncated word pieces and "[SEP]" (no padding) and the three arrays are padded to the
 * maximum length. ({@code tokens} is the original's local of that name; the fixtures' {@code wordpieces}
 * is the untruncated {@code tokenizer.tokenize(sent.strip())} without [CLS]/[SEP].)
 *
 * <p>Exit codes: 0 success; 2 bad options, an unreadable/invalid vocabulary or a line that is not exactly one JSON
 * string (the message names its 1-based line number; the lines before it have been written).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize sentences (one JSON string per stdin line) as LXMERT's convert_sents_to_features.")
public final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "vocab.txt (one token per line)")
    Path vocab;

    @Option(names = "--max-seq-length", defaultValue = "20", paramLabel = "N", converter = Check.AtLeastTwo.class,
            description = "padded sequence length incl. [CLS] and [SEP] (default: ${DEFAULT-VALUE})")
    int maxSeqLength;

    /** Input line that could not be processed. */
    public static final class InputLineException extends Exception implements Errors.BadInput {
        public InputLineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public Integer call() throws IOException, InputLineException {
        SentenceEncoder encoder;
        lxmert.util.Check.file("--vocab", vocab);
        try {
            encoder = new SentenceEncoder(new BertTokenizer(Vocab.load(vocab)), maxSeqLength);
        } catch (IOException e) {
            throw new IllegalArgumentException("--vocab: cannot read " + vocab + ": " + e.getMessage(), e);
        }
        Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8);
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        try {
            process(in, out, encoder);
            return 0;
        } finally {
            out.flush();
        }
    }

    /**
     * Encodes every line of {@code in} (each one JSON string) to one JSON object per line on {@code out}.
     *
     * @throws InputLineException naming the 1-based line number of the first bad line
     */
    public static void process(Reader in, Writer out, SentenceEncoder encoder) throws IOException, InputLineException {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        BufferedReader reader = in instanceof BufferedReader br ? br : new BufferedReader(in);
        PrintWriter pw = new PrintWriter(out);
        String line;
        long lineNo = 0;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            String sent;
            try {
                JsonNode node = mapper.readTree(line);
                if (node == null || node.isMissingNode() || !node.isTextual()) {
                    String found = node == null || node.isMissingNode() ? "an empty line" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
                    throw new InputLineException("stdin line " + lineNo + ": expected a JSON string, found " + found, null);
                }
                sent = node.textValue();
            } catch (JsonProcessingException e) {
                throw new InputLineException("stdin line " + lineNo + ": expected a JSON string, found invalid JSON ("
                        + e.getOriginalMessage() + ")", e);
            }
            InputFeatures f;
            try {
                f = encoder.encode(sent);
            } catch (IllegalArgumentException e) {
                throw new InputLineException("stdin line " + lineNo + ": " + e.getMessage(), e);
            }
            StringBuilder sb = new StringBuilder(256);
            sb.append("{\"tokens\":").append(mapper.writeValueAsString(f.tokens()));
            sb.append(",\"input_ids\":").append(mapper.writeValueAsString(f.inputIds()));
            sb.append(",\"input_mask\":").append(mapper.writeValueAsString(f.inputMask()));
            sb.append(",\"segment_ids\":").append(mapper.writeValueAsString(f.segmentIds()));
            sb.append('}');
            pw.print(sb.append('\n'));
        }
        pw.flush();
    }
}
