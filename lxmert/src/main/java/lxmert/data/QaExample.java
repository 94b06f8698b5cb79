package lxmert.data;

import java.util.Map;

/**
 * One VQA or GQA question as in the original json ({@code vqa_data.py:34-46}, {@code gqa_data.py:21-31}):
 * question id (VQA: an int, kept as its decimal text; GQA: a string), img_id, sentence, label (answer -> soft score,
 * in file order; null when the split has no labels) and, for VQA, question_type and answer_type (null if absent).
 */
public record QaExample(String questionId, String imgId, String sent, Map<String, Double> label,
                        String questionType, String answerType) {}
