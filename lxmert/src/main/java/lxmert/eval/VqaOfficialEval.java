package lxmert.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lxmert.data.DataFormatException;
import lxmert.data.Json;

/**
 * The official VQA accuracy ({@code PythonEvaluationTools/vqaEvaluation/vqaEval.py} of the VQA API,
 * GT-Vision-Lab/VQA). By default the current script ({@link Version#V2021_03_11}, since its 2021-03-11 commit "Fixed
 * processing answers bug"): the prediction and the ten human answers are stripped; when the human answers are not all
 * identical, every human answer and the prediction are normalised ({@link #processPunctuation} then
 * {@link #processDigitArticle}); when they are all identical, neither is. For each human answer, the accuracy against
 * the other nine is {@code min(1, matches / 3)}, and the question's accuracy is the mean of these ten. Overall accuracy
 * is the mean over the predicted questions (reported in full precision here; the official code rounds to 2 decimals).
 * {@link Version#V2017} reproduces the script as it was before that fix (see {@link Version}).
 *
 * <p>Quirks kept: "the other nine" are the answers not equal to the held-out one as whole JSON objects (unique in
 * the official files through {@code answer_id}); the period-strip regex {@code (?!<=\d)(\.)(?!\d)} removes at most 32
 * periods (the official passes {@code re.UNICODE} as the count); the punctuation test looks at the original text.
 */
public final class VqaOfficialEval {
    private VqaOfficialEval() {}

    static final Map<String, String> CONTRACTIONS = new HashMap<>();
    static final Map<String, String> MANUAL_MAP = Map.ofEntries(Map.entry("none", "0"), Map.entry("zero", "0"),
            Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
            Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
            Map.entry("nine", "9"), Map.entry("ten", "10"));
    static final Set<String> ARTICLES = Set.of("a", "an", "the");
    static final String[] PUNCT = {";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<",
            "@", "`", ",", "?", "!"};
    private static final Pattern PERIOD_STRIP = Pattern.compile("(?!<=\\d)(\\.)(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern COMMA_STRIP = Pattern.compile("(\\d)(,)(\\d)", Pattern.UNICODE_CHARACTER_CLASS);

    static {
        String[] pairs = {
                "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've", "couldnt", "couldn't",
                "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't", "doesnt", "doesn't",
                "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't",
                "havent", "haven't", "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's", "howd", "how'd",
                "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've", "Im", "I'm", "Ive", "I've",
                "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll", "let's", "let's",
                "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've", "mightn'tve", "mightn't've",
                "mightve", "might've", "mustnt", "mustn't", "mustve", "must've", "neednt", "needn't", "notve", "not've",
                "oclock", "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at", "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at",
                "shant", "shan't", "shed've", "she'd've", "she'dve", "she'd've", "she's", "she's", "shouldve", "should've",
                "shouldnt", "shouldn't", "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd", "somebodyd",
                "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've", "somebodyll", "somebody'll",
                "somebodys", "somebody's", "someoned", "someone'd", "someoned've", "someone'd've", "someone'dve", "someone'd've",
                "someonell", "someone'll", "someones", "someone's", "somethingd", "something'd", "somethingd've", "something'd've",
                "something'dve", "something'd've", "somethingll", "something'll", "thats", "that's", "thered", "there'd",
                "thered've", "there'd've", "there'dve", "there'd've", "therere", "there're", "theres", "there's", "theyd", "they'd",
                "theyd've", "they'd've", "they'dve", "they'd've", "theyll", "they'll", "theyre", "they're", "theyve", "they've",
                "twas", "'twas", "wasnt", "wasn't", "wed've", "we'd've", "we'dve", "we'd've", "weve", "we've", "werent", "weren't",
                "whatll", "what'll", "whatre", "what're", "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd",
                "wheres", "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've",
                "wholl", "who'll", "whos", "who's", "whove", "who've", "whyll", "why'll", "whyre", "why're", "whys", "why's",
                "wont", "won't", "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've",
                "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've", "y'alld've", "y'all'd've",
                "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've", "you'dve", "you'd've", "youll", "you'll",
                "youre", "you're", "youve", "you've"};
        for (int i = 0; i < pairs.length; i += 2) CONTRACTIONS.put(pairs[i], pairs[i + 1]);
    }

    /** The official {@code processPunctuation}. */
    public static String processPunctuation(String in) {
        String out = in;
        boolean commaDigits = COMMA_STRIP.matcher(in).find();
        for (String p : PUNCT) {
            if (in.contains(p + " ") || in.contains(" " + p) || commaDigits) out = out.replace(p, "");
            else out = out.replace(p, " ");
        }
        // re.sub(pattern, "", text, re.UNICODE): the third positional argument is count = 32
        Matcher m = PERIOD_STRIP.matcher(out);
        StringBuilder sb = new StringBuilder();
        int count = 0, last = 0;
        while (count < 32 && m.find()) {
            sb.append(out, last, m.start());
            last = m.end();
            count++;
        }
        sb.append(out.substring(last));
        return sb.toString();
    }

    /** The official {@code processDigitArticle}: lower-case, split on whitespace, number words, articles, contractions. */
    public static String processDigitArticle(String in) {
        List<String> out = new ArrayList<>();
        for (String w : pySplit(in.toLowerCase(java.util.Locale.ROOT))) {
            w = MANUAL_MAP.getOrDefault(w, w);
            if (!ARTICLES.contains(w)) out.add(w);
        }
        for (int i = 0; i < out.size(); i++) {
            String c = CONTRACTIONS.get(out.get(i));
            if (c != null) out.set(i, c);
        }
        return String.join(" ", out);
    }

    /** Python's {@code str.split()} (runs of whitespace, no empty strings). */
    static List<String> pySplit(String s) {
        List<String> out = new ArrayList<>();
        int i = 0, n = s.length();
        while (i < n) {
            while (i < n && isPyWhitespace(s.charAt(i))) i++;
            int st = i;
            while (i < n && !isPyWhitespace(s.charAt(i))) i++;
            if (i > st) out.add(s.substring(st, i));
        }
        return out;
    }

    static boolean isPyWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u001c' || c == '\u001d' || c == '\u001e' || c == '\u001f' || c == '\u0085';
    }

    /** Python's {@code str.strip()} (whitespace as {@link #isPyWhitespace}). */
    static String pyStrip(String s) {
        int a = 0, b = s.length();
        while (a < b && isPyWhitespace(s.charAt(a))) a++;
        while (b > a && isPyWhitespace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    /**
     * Which {@code vqaEval.py}. {@link #V2021_03_11} (the default) is the official script since its 2021-03-11 commit
     * "Fixed processing answers bug": human answers and prediction are stripped; when the human answers are not all
     * identical, {@link #processPunctuation} and {@link #processDigitArticle} are applied to every human answer and to
     * the prediction; when they are all identical neither is normalised. {@link #V2017} is the script before that fix
     * (the one of LXMERT's time): the prediction is always normalised, the human answers get {@link #processPunctuation}
     * only, and only when they are not all identical (so ten "two" never match a predicted "two", normalised to "2").
     */
    public enum Version {
        V2021_03_11("2021-03-11"),
        V2017("2017");

        /** The name used by {@code --vqa-eval-version}. */
        public final String id;

        Version(String id) {
            this.id = id;
        }

        /** The version named {@code id} ("2021-03-11" or "2017"); throws naming the option otherwise. */
        public static Version parse(String id) {
            for (Version v : values()) if (v.id.equals(id)) return v;
            throw new IllegalArgumentException("--vqa-eval-version: unknown version '" + id + "', expected 2021-03-11 (current) or 2017 (before the 2021-03-11 fix)");
        }
    }

    /** The current official script. */
    public static final Version DEFAULT = Version.V2021_03_11;

    /** Accuracy of one question in [0, 1] with the current official script ({@link #DEFAULT}). */
    public static double questionAccuracy(String predicted, List<JsonNode> humanAnswers) {
        return questionAccuracy(DEFAULT, predicted, humanAnswers);
    }

    /** Accuracy of one question in [0, 1] given its human answer objects (each with an "answer" string). */
    public static double questionAccuracy(Version version, String predicted, List<JsonNode> humanAnswers) {
        String res = pyStrip(predicted.replace('\n', ' ').replace('\t', ' '));
        if (version == Version.V2017) res = processDigitArticle(processPunctuation(res));
        List<JsonNode> gts = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        for (JsonNode a : humanAnswers) {
            ObjectNode copy = a.deepCopy();
            if (version == Version.V2021_03_11) {
                copy.put("answer", pyStrip(copy.get("answer").asText().replace('\n', ' ').replace('\t', ' ')));
            }
            gts.add(copy);
            distinct.add(copy.get("answer").asText());
        }
        if (distinct.size() > 1) {
            for (JsonNode a : gts) {
                String t = processPunctuation(a.get("answer").asText());
                ((ObjectNode) a).put("answer", version == Version.V2021_03_11 ? processDigitArticle(t) : t);
            }
            if (version == Version.V2021_03_11) res = processDigitArticle(processPunctuation(res));
        }
        // leave-one-out: for each human answer, min(1, matches among the other nine / 3); the mean of the ten
        double sum = 0;
        for (JsonNode held : gts) {
            int matches = 0;
            for (JsonNode other : gts) {
                if (!other.equals(held) && other.get("answer").asText().equals(res)) matches++;
            }
            sum += Math.min(1.0, matches / 3.0);
        }
        return sum / gts.size();
    }

    /** question_id -> human answers, from a VQA v2 annotation file ({@code {"annotations": [{question_id, answers}]}}). */
    public static Map<String, List<JsonNode>> loadAnnotations(Path file) throws IOException {
        JsonNode root = Json.object(file, Json.read(file), "top level");
        JsonNode anns = Json.array(file, Json.get(file, root, "annotations", "top level"), "key 'annotations'");
        Map<String, List<JsonNode>> out = new HashMap<>();
        for (int i = 0; i < anns.size(); i++) {
            String where = "annotations[" + i + "]";
            JsonNode a = Json.object(file, anns.get(i), where);
            JsonNode qid = Json.get(file, a, "question_id", where);
            JsonNode answers = Json.array(file, Json.get(file, a, "answers", where), where + ", key 'answers'");
            List<JsonNode> list = new ArrayList<>();
            for (int k = 0; k < answers.size(); k++) {
                JsonNode ans = Json.object(file, answers.get(k), where + ".answers[" + k + "]");
                Json.text(file, ans, "answer", where + ".answers[" + k + "]");
                list.add(ans);
            }
            if (list.isEmpty()) throw new DataFormatException(file, where, "no answers");
            out.put(qid.asText(), list);
        }
        return out;
    }

    /** Mean official accuracy in [0, 1] over the predictions with the current script ({@link #DEFAULT}). */
    public static double accuracy(Map<String, String> predictions, Map<String, List<JsonNode>> annotations) {
        return accuracy(DEFAULT, predictions, annotations);
    }

    /** Mean official accuracy in [0, 1] over the predictions; every predicted id must be annotated. */
    public static double accuracy(Version version, Map<String, String> predictions, Map<String, List<JsonNode>> annotations) {
        if (predictions.isEmpty()) throw new IllegalArgumentException("no predictions to evaluate");
        double sum = 0;
        for (var e : predictions.entrySet()) {
            List<JsonNode> gts = annotations.get(e.getKey());
            if (gts == null) throw new IllegalArgumentException("predicted question id " + e.getKey() + " is not in the annotation file");
            sum += questionAccuracy(version, e.getValue(), gts);
        }
        return sum / predictions.size();
    }
}
