/**
 * Text side of LXMERT: the BERT uncased WordPiece tokenizer exactly as the original code's
 * {@code src/lxrt/tokenization.py} (a copy of pytorch-pretrained-bert) and the original
 * {@code entry.convert_sents_to_features}.
 *
 * <ul>
 *   <li>{@link lxmert.text.Vocab} – vocab.txt, one token per line, id = line index.</li>
 *   <li>{@link lxmert.text.BasicTokenizer} – cleaning, CJK spacing, lower-casing, accent stripping,
 *       punctuation splitting.</li>
 *   <li>{@link lxmert.text.WordpieceTokenizer} – greedy longest-match-first word pieces.</li>
 *   <li>{@link lxmert.text.BertTokenizer} – both combined, plus token/id conversion.</li>
 *   <li>{@link lxmert.text.SentenceEncoder} / {@link lxmert.text.InputFeatures} – [CLS] tokens [SEP],
 *       truncation, mask, segment ids and zero padding, single and batched, with an optional cache.</li>
 *   <li>{@link lxmert.text.PythonStrings} – the Python 3 {@code str} semantics the original relies on
 *       ({@code isspace}, {@code strip}, {@code split}, {@code lower}, {@code unicodedata.category}).</li>
 * </ul>
 */
package lxmert.text;
