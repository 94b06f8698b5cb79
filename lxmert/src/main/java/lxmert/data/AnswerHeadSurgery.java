package lxmert.data;

import java.util.List;

/**
 * The answer-row surgery of the original {@code load_lxmert_qa} ({@code qa_answer_table.py:84-155}) on plain float
 * arrays: the pretraining answer head's last layer ({@code answer_head.logit_fc.3}, weight {@code [numAll, width]},
 * bias {@code [numAll]}) becomes a task head ({@code logit_fc.3}, {@code [label2ans.size(), width]}): each task label's
 * answer goes through {@link AnswerTable#convertAns}; if the result is in the table its row and bias are copied, else
 * the row and bias are zeroed.
 */
public final class AnswerHeadSurgery {
    private AnswerHeadSurgery() {}

    /** New weight (row-major), bias, the label -> all_ans row map (-1 = zeroed) and the counts. */
    public record Result(float[] weight, float[] bias, int[] rowMap, int mapped, int zeroed) {}

    /** label -> all_ans index (-1 when the converted answer is not in the table). */
    public static int[] rowMap(AnswerTable table, List<String> label2ans) {
        int[] map = new int[label2ans.size()];
        for (int l = 0; l < map.length; l++) {
            String a = AnswerTable.convertAns(label2ans.get(l));
            map[l] = table.used(a) ? table.ans2id(a) : -1;
        }
        return map;
    }

    public static Result apply(float[] allWeight, float[] allBias, int width, AnswerTable table, List<String> label2ans) {
        int numAll = allBias.length;
        if (allWeight.length != (long) numAll * width) {
            throw new IllegalArgumentException("answer head weight has " + allWeight.length + " values, expected "
                    + numAll + " x " + width + " = " + ((long) numAll * width));
        }
        if (numAll != table.size()) {
            throw new IllegalArgumentException("answer head has " + numAll + " rows but the answer table has " + table.size());
        }
        int[] map = rowMap(table, label2ans);
        float[] w = new float[map.length * width];
        float[] b = new float[map.length];
        int mapped = 0;
        for (int l = 0; l < map.length; l++) {
            if (map[l] >= 0) {
                System.arraycopy(allWeight, map[l] * width, w, l * width, width);
                b[l] = allBias[map[l]];
                mapped++;
            }
        }
        return new Result(w, b, map, mapped, map.length - mapped);
    }
}
