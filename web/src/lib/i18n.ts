import { QueryClientContext } from "@tanstack/react-query";
import * as React from "react";
import { profileKeys, useMe, type Me } from "@/lib/profile";

/**
 * The UI's words in the profile's language. English text is the key, so a screen reads as English in its source
 * and a phrase without a translation stays English instead of showing a key. German is the second language;
 * any other profile language gets English until it has a dictionary here. The language is the one the person
 * picked with the switch on the candidate pages, else the profile's, else the browser's.
 */

export type Locale = "en" | "de";

const DE: Record<string, string> = {
  // App shell
  "AI Interview, home": "AI Interview, Startseite",
  Account: "Konto",
  "Sign out": "Abmelden",
  "Signed in as": "Angemeldet als",
  "Open menu": "Menü öffnen",
  "Close menu": "Menü schließen",
  Menu: "Menü",
  // The AI-use notice on the briefing (consent)
  "Audit trail": "Prüfprotokoll",
  "How your answers are used": "Wie Ihre Antworten verwendet werden",
  "{company} is hiring for {role} and asks you to answer these questions.":
    "{company} besetzt die Stelle {role} und bittet Sie, diese Fragen zu beantworten.",
  "Your answers are recorded. An AI transcribes and scores them on these criteria: {criteria}.":
    "Ihre Antworten werden aufgezeichnet. Eine KI schreibt sie ab und bewertet sie nach diesen Kriterien: {criteria}.",
  relevance: "Relevanz",
  completeness: "Vollständigkeit",
  clarity: "Klarheit",
  depth: "Tiefe",
  "The AI does not decide. A person at {company} reviews your answers and makes the decision.":
    "Die KI entscheidet nicht. Eine Person bei {company} prüft Ihre Antworten und trifft die Entscheidung.",
  "Your answers, recordings and their scores are kept for {days} days after the decision, then deleted.":
    "Ihre Antworten, Aufnahmen und deren Bewertungen werden nach der Entscheidung {days} Tage aufbewahrt und dann gelöscht.",
  "Your answers, recordings and their scores are kept until {company} deletes them or you ask for them to be deleted from your privacy page.":
    "Ihre Antworten, Aufnahmen und deren Bewertungen werden aufbewahrt, bis {company} sie löscht oder Sie auf Ihrer Datenschutzseite die Löschung verlangen.",
  "You may ask for a human-only review: people score your answers without seeing the AI's scores.":
    "Sie können eine rein menschliche Prüfung verlangen: Menschen bewerten Ihre Antworten, ohne die Bewertungen der KI zu sehen.",
  "To ask for another way of applying instead of this interview, write to":
    "Wenn Sie sich statt mit diesem Interview auf andere Weise bewerben möchten, schreiben Sie an",
  "To ask for another way of applying instead of this interview, reply to {company}'s invitation.":
    "Wenn Sie sich statt mit diesem Interview auf andere Weise bewerben möchten, antworten Sie auf die Einladung von {company}.",
  "Notice version {version}": "Fassung des Hinweises: {version}",
  "You accepted this notice on {date}.": "Sie haben diesem Hinweis am {date} zugestimmt.",
  "You asked for a human-only review.": "Sie haben eine rein menschliche Prüfung verlangt.",
  "I have read this notice and agree to take the interview on these terms.":
    "Ich habe diesen Hinweis gelesen und nehme unter diesen Bedingungen am Interview teil.",
  "I ask for a human-only review: people score my answers before they see the AI's scores.":
    "Ich verlange eine rein menschliche Prüfung: Menschen bewerten meine Antworten, bevor sie die Bewertungen der KI sehen.",
  "Accept the notice above to start.": "Stimmen Sie dem Hinweis oben zu, um zu beginnen.",
  "The notice changed while this page was open. Please read it again and accept it.":
    "Der Hinweis hat sich geändert, während diese Seite offen war. Bitte lesen Sie ihn erneut und stimmen Sie zu.",
  Main: "Hauptmenü",
  "Could not load your account": "Ihr Konto konnte nicht geladen werden",
  "My interviews": "Meine Interviews",
  "My skills": "Meine Fähigkeiten",
  Profile: "Profil",
  "Notification settings": "Benachrichtigungen",
  Security: "Sicherheit",
  "Plan and billing": "Tarif und Abrechnung",
  Candidate: "Kandidat",
  "No role yet": "Noch keine Rolle",
  // Candidate dashboard
  Pending: "Offen",
  "In progress": "Begonnen",
  Completed: "Abgeschlossen",
  Expired: "Abgelaufen",
  Withdrawn: "Zurückgezogen",
  Approved: "Angenommen",
  "Not selected": "Nicht ausgewählt",
  "In review": "In Prüfung",
  "Invited {date}": "Eingeladen am {date}",
  "Expired {date}": "Abgelaufen am {date}",
  "Expires {date}": "Läuft ab am {date}",
  "{answered}/{total} answered": "{answered}/{total} beantwortet",
  "Progress of {title}": "Fortschritt: {title}",
  "Feedback from {company}: ": "Rückmeldung von {company}: ",
  "Start interview": "Interview starten",
  "Resume interview": "Interview fortsetzen",
  "View outcome": "Ergebnis ansehen",
  "Interviews you have been invited to, and where each one stands.":
    "Interviews, zu denen Sie eingeladen wurden, und wo jedes gerade steht.",
  "Loading your interviews…": "Ihre Interviews werden geladen…",
  "Could not load your interviews": "Ihre Interviews konnten nicht geladen werden",
  "No interviews yet": "Noch keine Interviews",
  "When a company invites you to an interview it appears here, and you will also get a notification.":
    "Sobald ein Unternehmen Sie zu einem Interview einlädt, erscheint es hier, und Sie erhalten eine Benachrichtigung.",
  Invitations: "Einladungen",
  "Showing the {shown} most recent of {total} invitations.": "Die {shown} neuesten von {total} Einladungen.",
  // Briefing
  "Loading the briefing…": "Die Einführung wird geladen…",
  "Could not open this interview": "Dieses Interview konnte nicht geöffnet werden",
  "Before you start: nothing is timed until you press “Start interview” at the bottom of this page.":
    "Bevor Sie beginnen: Die Zeit läuft erst, wenn Sie unten auf dieser Seite „Interview starten“ drücken.",
  "Camera and microphone are ready.": "Kamera und Mikrofon sind bereit.",
  "Microphone is ready.": "Das Mikrofon ist bereit.",
  "The interview could not start": "Das Interview konnte nicht beginnen",
  "Starting…": "Wird gestartet…",
  "Check your devices first.": "Prüfen Sie zuerst Ihre Geräte.",
  "Not now": "Nicht jetzt",
  // Colours button
  "Colours: as the device": "Farben: wie das Gerät",
  "Colours: light": "Farben: hell",
  "Colours: dark": "Farben: dunkel",
  // Voluntary self-identification (after an interview and on the profile)
  "Voluntary self-identification": "Freiwillige Selbstauskunft",
  "Answering is optional and has no effect on any application.":
    "Die Angaben sind freiwillig und haben keinen Einfluss auf eine Bewerbung.",
  "Employers check that their hiring treats groups fairly, as bias-audit laws such as New York City's Local Law 144 require. Your answers are stored apart from your interviews, are never shown to the people who review you and are never given to the AI. Employers only see counts across many candidates.":
    "Arbeitgeber prüfen, ob ihre Auswahl alle Gruppen fair behandelt, wie es Gesetze zu Bias-Audits wie das New Yorker Local Law 144 verlangen. Ihre Angaben werden getrennt von Ihren Interviews gespeichert, nie den Personen gezeigt, die Sie bewerten, und nie an die KI gegeben. Arbeitgeber sehen nur Zahlen über viele Kandidaten hinweg.",
  "Loading your answers…": "Ihre Angaben werden geladen…",
  "Your answers could not be loaded. Please try again later.":
    "Ihre Angaben konnten nicht geladen werden. Bitte versuchen Sie es später erneut.",
  Sex: "Geschlecht",
  "Race/ethnicity": "Herkunft (ethnische Zugehörigkeit)",
  Female: "Weiblich",
  Male: "Männlich",
  "Another sex": "Anderes Geschlecht",
  "Prefer not to say": "Keine Angabe",
  "Hispanic or Latino": "Hispanisch oder lateinamerikanisch",
  White: "Weiß",
  "Black or African American": "Schwarz oder afroamerikanisch",
  "Native Hawaiian or Other Pacific Islander": "Hawaiianisch oder von einer anderen Pazifikinsel",
  Asian: "Asiatisch",
  "American Indian or Alaska Native": "Indigen amerikanisch oder alaskisch",
  "Two or More Races": "Mehrere Herkünfte",
  "Share my answers": "Angaben teilen",
  "Save changes": "Änderungen speichern",
  "Withdraw my answers": "Angaben zurückziehen",
  "Thank you. Your answers are saved; you can change or withdraw them here at any time.":
    "Danke. Ihre Angaben sind gespeichert; Sie können sie hier jederzeit ändern oder zurückziehen.",
  "Your answers were deleted.": "Ihre Angaben wurden gelöscht.",
  "That did not work. Please try again.": "Das hat nicht geklappt. Bitte versuchen Sie es erneut.",
  // The public apply page (a template's apply link)
  "Loading the role": "Die Stelle wird geladen",
  "This application link cannot be opened": "Dieser Bewerbungslink kann nicht geöffnet werden",
  "This application link is not valid. Please check that you copied all of it.":
    "Dieser Bewerbungslink ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig kopiert haben.",
  "This application link is no longer open. Please ask the company for their current link.":
    "Dieser Bewerbungslink ist nicht mehr offen. Bitte fragen Sie das Unternehmen nach dem aktuellen Link.",
  "This role is not taking applications at the moment.": "Für diese Stelle werden derzeit keine Bewerbungen angenommen.",
  "This role is not taking more applications right now. Please try again later.":
    "Für diese Stelle werden gerade keine weiteren Bewerbungen angenommen. Bitte versuchen Sie es später erneut.",
  "Too many applications were sent from here in the last hour. Please try again later.":
    "Von hier wurden in der letzten Stunde zu viele Bewerbungen gesendet. Bitte versuchen Sie es später erneut.",
  "Please enter your name and a valid e-mail address.": "Bitte geben Sie Ihren Namen und eine gültige E-Mail-Adresse ein.",
  "Something went wrong. Please try again in a moment.": "Etwas ist schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.",
  "A video interview of {count} questions, about {minutes} minutes in all. You take it whenever it suits you within a week.":
    "Ein Video-Interview mit {count} Fragen, insgesamt etwa {minutes} Minuten. Sie führen es innerhalb einer Woche durch, wann es Ihnen passt.",
  "Check your inbox": "Sehen Sie in Ihr Postfach",
  "If this address can take the interview, an e-mail with your personal link is on its way. Open it to confirm your address and start.":
    "Wenn diese Adresse am Interview teilnehmen kann, ist eine E-Mail mit Ihrem persönlichen Link unterwegs. Öffnen Sie ihn, um Ihre Adresse zu bestätigen und zu beginnen.",
  Apply: "Bewerben",
  "Your name": "Ihr Name",
  "Please enter your name.": "Bitte geben Sie Ihren Namen ein.",
  "Your e-mail address": "Ihre E-Mail-Adresse",
  "Please enter a valid e-mail address.": "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
  "We e-mail you a personal link. Nothing is recorded until you start the interview.":
    "Wir senden Ihnen einen persönlichen Link per E-Mail. Aufgezeichnet wird erst, wenn Sie das Interview beginnen.",
  "Sending…": "Wird gesendet…",
  "Send me the link": "Link zusenden",
  // Interview: briefing facts, runner, answer forms, timers, completion (the candidate flow)
  Language: "Sprache",
  Interview: "Interview",
  "the interview": "das Interview",
  optional: "optional",
  "Written answer": "Schriftliche Antwort",
  "Multiple choice": "Auswahlfrage",
  Video: "Video",
  Audio: "Audio",
  Answer: "Antwort",
  Time: "Zeit",
  "1 question, about {duration} in all.": "1 Frage, insgesamt etwa {duration}.",
  "{n} questions, about {duration} in all.": "{n} Fragen, insgesamt etwa {duration}.",
  "Once you start you have {minutes} minutes in total; the timer counts down from the start.":
    "Ab dem Start haben Sie insgesamt {minutes} Minuten; der Timer zählt ab dem Start herunter.",
  "There is no overall time limit, only each question's.": "Es gibt kein Gesamtzeitlimit, nur eines je Frage.",
  "{time} to answer": "{time} zum Antworten",
  "after {time} to think": "nach {time} Bedenkzeit",
  "A timer counts down for each question (first the time to think, then the time to answer). An answer sent after its time is up is not accepted.":
    "Für jede Frage zählt ein Timer herunter (zuerst die Bedenkzeit, dann die Antwortzeit). Eine Antwort, die nach Ablauf der Zeit gesendet wird, wird nicht angenommen.",
  "A timer counts down for each question. An answer sent after its time is up is not accepted.":
    "Für jede Frage zählt ein Timer herunter. Eine Antwort, die nach Ablauf der Zeit gesendet wird, wird nicht angenommen.",
  "Pauses and retakes": "Pausen und Wiederholungen",
  "You can pause between questions and come back later, before the invitation expires.":
    "Sie können zwischen den Fragen pausieren und später zurückkommen, bevor die Einladung abläuft.",
  "Once started, keep going: an interview left idle for 30 minutes is closed.":
    "Bleiben Sie nach dem Start dabei: Ein Interview, das 30 Minuten ruht, wird geschlossen.",
  "Each recorded answer can be retaken once; the last take counts.":
    "Jede aufgenommene Antwort kann einmal wiederholt werden; die letzte Aufnahme zählt.",
  "Each recorded answer can be retaken {n} times; the last take counts.":
    "Jede aufgenommene Antwort kann {n}-mal wiederholt werden; die letzte Aufnahme zählt.",
  "An answer cannot be changed once submitted.": "Eine gesendete Antwort kann nicht mehr geändert werden.",
  "Available until {date}.": "Verfügbar bis {date}.",
  "What is recorded and who decides": "Was aufgezeichnet wird und wer entscheidet",
  "Your answers (video and sound for video questions) are saved and shared with {company}.":
    "Ihre Antworten (Bild und Ton bei Videofragen) werden gespeichert und an {company} weitergegeben.",
  "Your answers (sound for audio questions) are saved and shared with {company}.":
    "Ihre Antworten (Ton bei Audiofragen) werden gespeichert und an {company} weitergegeben.",
  "Your answers are saved and shared with {company}.": "Ihre Antworten werden gespeichert und an {company} weitergegeben.",
  "An AI scores the answers to help the reviewers; a person at {company} reads or watches them and makes the decision.":
    "Eine KI bewertet die Antworten, um die Prüfenden zu unterstützen; eine Person bei {company} liest oder sieht sie sich an und trifft die Entscheidung.",
  "{company} contacts you directly about the outcome; it is not shown here.":
    "{company} informiert Sie direkt über das Ergebnis; es wird hier nicht angezeigt.",
  "You will see their decision here, with a few words of feedback from them.":
    "Sie sehen die Entscheidung hier, mit einigen Worten Rückmeldung.",
  "You will see their decision here.": "Sie sehen die Entscheidung hier.",
  "Loading your interview…": "Ihr Interview wird geladen…",
  "This interview does not exist": "Dieses Interview gibt es nicht",
  "This interview is not yours": "Dieses Interview gehört nicht zu Ihrem Konto",
  "Could not load the interview": "Das Interview konnte nicht geladen werden",
  "This interview has expired": "Dieses Interview ist abgelaufen",
  "The invitation expired on {date}. Contact {company} if you still want to take it.":
    "Die Einladung ist am {date} abgelaufen. Wenden Sie sich an {company}, wenn Sie das Interview noch führen möchten.",
  "This invitation was withdrawn": "Diese Einladung wurde zurückgezogen",
  "{company} withdrew this invitation before you started. Contact them if you think this is a mistake.":
    "{company} hat diese Einladung zurückgezogen, bevor Sie begonnen haben. Wenden Sie sich an das Unternehmen, wenn Sie das für einen Fehler halten.",
  "This interview cannot be taken any more": "Dieses Interview kann nicht mehr geführt werden",
  "The company": "Das Unternehmen",
  "What happens next": "Wie es weitergeht",
  "A person at {company} reviews your answers; AI assists them, but a person decides.":
    "Eine Person bei {company} prüft Ihre Antworten; eine KI unterstützt dabei, aber ein Mensch entscheidet.",
  "{company} expects to reply {reply}.": "{company} plant, sich {reply} zu melden.",
  "{company} will get back to you.": "{company} meldet sich bei Ihnen.",
  "Back to my interviews": "Zurück zu meinen Interviews",
  "Interview complete": "Interview abgeschlossen",
  "Thank you for completing “{title}” for {company}. Your answers have been sent.":
    "Vielen Dank, dass Sie „{title}“ für {company} abgeschlossen haben. Ihre Antworten wurden gesendet.",
  "Thank you. Your answers have been sent.": "Vielen Dank. Ihre Antworten wurden gesendet.",
  "You finished early: questions without an answer stay unanswered.":
    "Sie haben vorzeitig beendet: Fragen ohne Antwort bleiben unbeantwortet.",
  "Time is up for that question": "Die Zeit für diese Frage ist abgelaufen",
  "It stays unanswered; here is the next one.": "Sie bleibt unbeantwortet; hier ist die nächste.",
  "Interview time left": "Verbleibende Interviewzeit",
  "Finish early": "Vorzeitig beenden",
  "Interview progress": "Fortschritt des Interviews",
  "The interview could not be finished": "Das Interview konnte nicht beendet werden",
  "Try again": "Erneut versuchen",
  "Question {n} of {total}": "Frage {n} von {total}",
  "Hint: {hint}": "Hinweis: {hint}",
  "Finishing your interview…": "Ihr Interview wird abgeschlossen…",
  "Finish the interview now?": "Das Interview jetzt beenden?",
  "{unanswered} of {total} questions are still unanswered. Unanswered questions will be left unanswered and not scored.":
    "{unanswered} von {total} Fragen sind noch unbeantwortet. Unbeantwortete Fragen bleiben offen und werden nicht bewertet.",
  "Every question is answered.": "Alle Fragen sind beantwortet.",
  "You cannot come back to this interview afterwards.": "Danach können Sie nicht mehr zu diesem Interview zurückkehren.",
  "Keep going": "Weitermachen",
  "Finishing…": "Wird beendet…",
  "Finish now": "Jetzt beenden",
  "Your answer": "Ihre Antwort",
  "{count} / {max} characters": "{count} / {max} Zeichen",
  "Choose one answer": "Wählen Sie eine Antwort",
  "Saving…": "Wird gespeichert…",
  "Submit answer": "Antwort senden",
  "Time left": "Verbleibende Zeit",
  "Time is up": "Die Zeit ist abgelaufen",
  "Ten seconds left": "Noch zehn Sekunden",
  "Time to think": "Bedenkzeit",
  "Time to think left: {time}": "Verbleibende Bedenkzeit: {time}",
  "Recording starts by itself when this reaches 0:00.": "Die Aufnahme beginnt von selbst, wenn 0:00 erreicht ist.",
  "Start recording now": "Aufnahme jetzt starten",
  // Device check (camera and microphone)
  "Access to your camera and microphone was denied. Allow it in your browser's site settings (the icon at the left of the address bar), then check again.":
    "Der Zugriff auf Ihre Kamera und Ihr Mikrofon wurde verweigert. Erlauben Sie ihn in den Website-Einstellungen Ihres Browsers (das Symbol links neben der Adresszeile) und prüfen Sie dann erneut.",
  "Access to your microphone was denied. Allow it in your browser's site settings (the icon at the left of the address bar), then check again.":
    "Der Zugriff auf Ihr Mikrofon wurde verweigert. Erlauben Sie ihn in den Website-Einstellungen Ihres Browsers (das Symbol links neben der Adresszeile) und prüfen Sie dann erneut.",
  "No camera and microphone was found. Connect one (or choose another device) and check again.":
    "Es wurden keine Kamera und kein Mikrofon gefunden. Schließen Sie die Geräte an (oder wählen Sie andere aus) und prüfen Sie erneut.",
  "No microphone was found. Connect one (or choose another device) and check again.":
    "Es wurde kein Mikrofon gefunden. Schließen Sie eines an (oder wählen Sie ein anderes Gerät aus) und prüfen Sie erneut.",
  "Your camera and microphone could not be started: another application may be using it. Close it and check again.":
    "Ihre Kamera und Ihr Mikrofon konnten nicht gestartet werden: Vielleicht verwendet sie gerade eine andere Anwendung. Schließen Sie diese und prüfen Sie erneut.",
  "Your microphone could not be started: another application may be using it. Close it and check again.":
    "Ihr Mikrofon konnte nicht gestartet werden: Vielleicht verwendet es gerade eine andere Anwendung. Schließen Sie diese und prüfen Sie erneut.",
  "This browser cannot record here. Use a recent Chrome, Edge, Firefox or Safari over a secure (https) connection.":
    "Dieser Browser kann hier nicht aufnehmen. Verwenden Sie ein aktuelles Chrome, Edge, Firefox oder Safari über eine sichere (https-)Verbindung.",
  "Your camera and microphone could not be opened: {reason}": "Ihre Kamera und Ihr Mikrofon konnten nicht geöffnet werden: {reason}",
  "Your microphone could not be opened: {reason}": "Ihr Mikrofon konnte nicht geöffnet werden: {reason}",
  "Your camera and microphone could not be opened.": "Ihre Kamera und Ihr Mikrofon konnten nicht geöffnet werden.",
  "Your microphone could not be opened.": "Ihr Mikrofon konnte nicht geöffnet werden.",
  "Microphone level": "Mikrofonpegel",
  "Live camera preview": "Live-Vorschau der Kamera",
  "Check your camera and microphone": "Kamera und Mikrofon prüfen",
  "Check your microphone": "Mikrofon prüfen",
  "This interview has recorded answers (video). Your browser will ask for permission; nothing is recorded until you press “Start recording”.":
    "In diesem Interview werden Antworten aufgezeichnet (Video). Ihr Browser fragt nach Ihrer Erlaubnis; aufgezeichnet wird erst, wenn Sie „Aufnahme starten“ drücken.",
  "This interview has recorded answers (audio only). Your browser will ask for permission; nothing is recorded until you press “Start recording”.":
    "In diesem Interview werden Antworten aufgezeichnet (nur Ton). Ihr Browser fragt nach Ihrer Erlaubnis; aufgezeichnet wird erst, wenn Sie „Aufnahme starten“ drücken.",
  "Devices not available": "Geräte nicht verfügbar",
  "Say something: the bar should move.": "Sagen Sie etwas: Der Balken sollte sich bewegen.",
  Camera: "Kamera",
  Microphone: "Mikrofon",
  "Camera {n}": "Kamera {n}",
  "Microphone {n}": "Mikrofon {n}",
  Continue: "Weiter",
  "Checking…": "Wird geprüft…",
  "Check camera and microphone": "Kamera und Mikrofon prüfen",
  "Check microphone": "Mikrofon prüfen",
  // Recorded answers (recording, upload, retake)
  "Preparing the upload…": "Der Upload wird vorbereitet…",
  "Uploading your answer…": "Ihre Antwort wird hochgeladen…",
  "Finishing the upload…": "Der Upload wird abgeschlossen…",
  "Processing… (checking the recording)": "Wird verarbeitet… (die Aufnahme wird geprüft)",
  "Saving your answer…": "Ihre Antwort wird gespeichert…",
  "Recording cannot start in this browser: {reason}": "Die Aufnahme kann in diesem Browser nicht beginnen: {reason}",
  "Nothing was recorded. Check your camera and microphone, then record again.":
    "Es wurde nichts aufgezeichnet. Prüfen Sie Kamera und Mikrofon und nehmen Sie dann erneut auf.",
  "The recording was not accepted: {reason}": "Die Aufnahme wurde nicht angenommen: {reason}",
  "The recording could not be processed.": "Die Aufnahme konnte nicht verarbeitet werden.",
  "Video answer": "Videoantwort",
  "Audio answer": "Audioantwort",
  "up to {time} (the recording stops by itself at the limit)": "bis zu {time} (die Aufnahme endet am Limit von selbst)",
  "1 retake allowed": "1 Wiederholung erlaubt",
  "{n} retakes allowed": "{n} Wiederholungen erlaubt",
  "one take, no retakes": "eine Aufnahme, keine Wiederholung",
  "Loading…": "Wird geladen…",
  REC: "REC",
  "Time left: {time}": "Verbleibende Zeit: {time}",
  "Answer time used": "Verbrauchte Antwortzeit",
  "Almost out of time: the recording stops at {time}.": "Die Zeit ist fast um: Die Aufnahme endet bei {time}.",
  "Start recording": "Aufnahme starten",
  "Stop recording": "Aufnahme beenden",
  "Your recorded answer": "Ihre aufgenommene Antwort",
  "Recorded {duration} · {size} MB": "Aufgenommen: {duration} · {size} MB",
  "Upload progress": "Fortschritt des Uploads",
  "Keep this page open until the answer is saved.": "Lassen Sie diese Seite offen, bis die Antwort gespeichert ist.",
  "Recording rejected": "Aufnahme abgelehnt",
  "Your answer was not saved yet": "Ihre Antwort ist noch nicht gespeichert",
  "Your recording is kept on this device; you can try again.":
    "Ihre Aufnahme bleibt auf diesem Gerät gespeichert; Sie können es erneut versuchen.",
  "Upload interrupted": "Upload unterbrochen",
  "This answer was being uploaded when the page closed. Resume to continue where it stopped.":
    "Diese Antwort wurde gerade hochgeladen, als die Seite geschlossen wurde. Setzen Sie den Upload fort, um dort weiterzumachen, wo er aufgehört hat.",
  "Resume upload": "Upload fortsetzen",
  "Record again": "Erneut aufnehmen",
  Retake: "Wiederholen",
  "You have used every retake for this question.": "Sie haben alle Wiederholungen für diese Frage genutzt.",
  "Recording problem": "Problem bei der Aufnahme",
  // The practice recording on the briefing
  "Practice (optional)": "Üben (freiwillig)",
  "Record up to {seconds} seconds and play it back. The practice stays on this device: it is not sent, not scored and not part of your interview.":
    "Nehmen Sie bis zu {seconds} Sekunden auf und spielen Sie sie ab. Die Übung bleibt auf diesem Gerät: Sie wird nicht gesendet, nicht bewertet und ist nicht Teil Ihres Interviews.",
  "Your practice recording": "Ihre Übungsaufnahme",
  "Stop practice": "Übung beenden",
  "Practise again": "Noch einmal üben",
  "Record a practice answer": "Übungsantwort aufnehmen",
  // The invitation link page (/join)
  "Your interview invitation": "Ihre Interview-Einladung",
  "Apply for a role": "Auf eine Stelle bewerben",
  "This link is incomplete": "Dieser Link ist unvollständig",
  "Check that you copied all of it.": "Prüfen Sie, ob Sie ihn vollständig kopiert haben.",
  "Loading your invitation": "Ihre Einladung wird geladen",
  "This invitation cannot be opened": "Diese Einladung kann nicht geöffnet werden",
  "{company} invited you to an interview": "{company} hat Sie zu einem Interview eingeladen",
  "{title} · open until {date}": "{title} · offen bis {date}",
  "Checking your invitation…": "Ihre Einladung wird geprüft…",
  "Confirm your e-mail address": "Bestätigen Sie Ihre E-Mail-Adresse",
  "Open the link in the confirmation e-mail, then come back here and continue.":
    "Öffnen Sie den Link in der Bestätigungs-E-Mail, kommen Sie dann hierher zurück und fahren Sie fort.",
  "I have confirmed it, continue": "Ich habe sie bestätigt, weiter",
  "Send the confirmation e-mail": "Bestätigungs-E-Mail senden",
  "We sent you an e-mail: open its link to confirm your address":
    "Wir haben Ihnen eine E-Mail gesendet: Öffnen Sie den Link darin, um Ihre Adresse zu bestätigen",
  "Your e-mail address is already confirmed": "Ihre E-Mail-Adresse ist bereits bestätigt",
  "The e-mail could not be sent. Please try again in a moment.":
    "Die E-Mail konnte nicht gesendet werden. Bitte versuchen Sie es gleich noch einmal.",
  "You cannot take this interview yet": "Sie können dieses Interview noch nicht führen",
  "Before you start": "Bevor Sie beginnen",
  "Create your account with {email} and confirm it from the e-mail we send you. Then you will see what the interview involves before anything is timed.":
    "Erstellen Sie Ihr Konto mit {email} und bestätigen Sie es über die E-Mail, die wir Ihnen senden. Danach sehen Sie, was das Interview umfasst, bevor eine Zeit läuft.",
  "the address this invitation was sent to": "der Adresse, an die diese Einladung gesendet wurde",
  "Create my account": "Mein Konto erstellen",
  "I already have an account": "Ich habe schon ein Konto",
  "Sign-in could not start": "Die Anmeldung konnte nicht beginnen",
  "Please try again in a moment.": "Bitte versuchen Sie es gleich noch einmal.",
  "This invitation link has expired. Ask the company to send you a new one.":
    "Dieser Einladungslink ist abgelaufen. Bitten Sie das Unternehmen, Ihnen einen neuen zu senden.",
  "The company withdrew this invitation.": "Das Unternehmen hat diese Einladung zurückgezogen.",
  "This invitation link is not valid any more. Please use the link from your latest invitation e-mail.":
    "Dieser Einladungslink ist nicht mehr gültig. Bitte verwenden Sie den Link aus Ihrer neuesten Einladungs-E-Mail.",
  "Please confirm your e-mail address first (we sent you an e-mail), then open the invitation link again.":
    "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse (wir haben Ihnen eine E-Mail gesendet) und öffnen Sie dann den Einladungslink erneut.",
  "This invitation was sent to a different e-mail address. Sign out and sign in with the address it was sent to.":
    "Diese Einladung wurde an eine andere E-Mail-Adresse gesendet. Melden Sie sich ab und mit der Adresse an, an die sie gesendet wurde.",
  "This invitation already belongs to another account.": "Diese Einladung gehört bereits zu einem anderen Konto.",
  "You already have an invitation to this interview. You can find it on your dashboard.":
    "Sie haben bereits eine Einladung zu diesem Interview. Sie finden sie in Ihrer Übersicht.",
  "This invitation link is incomplete. Check that you copied all of it.":
    "Dieser Einladungslink ist unvollständig. Prüfen Sie, ob Sie ihn vollständig kopiert haben.",
  // The candidate's outcome page
  Outcome: "Ergebnis",
  "Could not load this interview": "Dieses Interview konnte nicht geladen werden",
  "Your interview": "Ihr Interview",
  "Not finished yet": "Noch nicht abgeschlossen",
  "The outcome is shared after you complete the interview.": "Das Ergebnis wird mitgeteilt, nachdem Sie das Interview abgeschlossen haben.",
  "Go to the interview": "Zum Interview",
  "{company} · completed {date}": "{company} · abgeschlossen am {date}",
  "{company} approved your interview on {date} and will contact you about the next step.":
    "{company} hat Ihr Interview am {date} angenommen und meldet sich bei Ihnen wegen des nächsten Schritts.",
  "{company} approved your interview and will contact you about the next step.":
    "{company} hat Ihr Interview angenommen und meldet sich bei Ihnen wegen des nächsten Schritts.",
  "{company} decided not to continue with your application ({date}).":
    "{company} hat entschieden, Ihre Bewerbung nicht weiterzuverfolgen ({date}).",
  "{company} decided not to continue with your application.": "{company} hat entschieden, Ihre Bewerbung nicht weiterzuverfolgen.",
  // The outcome explained (where the company explains outcomes): the reviewer's reason and each answer on the rubric
  "The reviewer's reason: ": "Die Begründung der prüfenden Person: ",
  "Your answers explained": "Ihre Antworten erklärt",
  "How your answers compare with what {company} looked for. A person made the decision; this explains it, it is not a score.":
    "Wie Ihre Antworten zu dem passen, worauf {company} geachtet hat. Eine Person hat entschieden; dies erklärt die Entscheidung und ist keine Bewertung in Punkten.",
  "Question {n}": "Frage {n}",
  strong: "stark",
  adequate: "angemessen",
  "needs work": "ausbaufähig",
  "What we looked for: {anchor}": "Worauf wir geachtet haben: {anchor}",
  "From your answer: ": "Aus Ihrer Antwort: ",
  "Loading the explanation…": "Die Erklärung wird geladen…",
  "The explanation could not be loaded": "Die Erklärung konnte nicht geladen werden",
  "The explanation of your answers is not ready yet. Please look again later.":
    "Die Erklärung Ihrer Antworten ist noch nicht fertig. Bitte schauen Sie später noch einmal.",
  "None of your answers could be explained on the company's criteria.":
    "Keine Ihrer Antworten konnte anhand der Kriterien des Unternehmens erklärt werden.",
};

const DICTIONARIES: Record<Locale, Record<string, string>> = { en: {}, de: DE };

/** Whether German has its own entry for `text` (a word spelled alike, like "Video", has one too). */
export function hasGerman(text: string): boolean {
  return Object.hasOwn(DE, text);
}

export function localeOf(language: string | null | undefined): Locale {
  return language?.toLowerCase().startsWith("de") ? "de" : "en";
}

/** The tag dates are written in: German's on a German page (whatever the browser's), else the browser's own. */
export function dateLocale(locale: Locale): string | undefined {
  return locale === "de" ? "de-DE" : undefined;
}

export type Vars = Record<string, string | number>;
export type T = (text: string, vars?: Vars) => string;

/** `text` in `locale`, with each `{name}` replaced by `vars[name]` (after translating, so word order may change). */
export function translate(locale: Locale, text: string, vars?: Vars): string {
  const phrase = DICTIONARIES[locale][text] ?? text;
  return vars ? phrase.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : phrase;
}

const CHOICE_KEY = "aivi.language";
const CHOICE_EVENT = "aivi-language";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHOICE_EVENT, onChange);
  window.addEventListener("languagechange", onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHOICE_EVENT, onChange);
    window.removeEventListener("languagechange", onChange);
  };
}

function readChoice(): Locale | null {
  try {
    const value = window.localStorage.getItem(CHOICE_KEY);
    return value === "en" || value === "de" ? value : null;
  } catch {
    return null; // storage blocked: the profile's or the browser's language
  }
}

/** The language picked with the switch (kept in this browser), for every open tab. */
export function chooseLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(CHOICE_KEY, locale);
  } catch {
    // Storage blocked: the choice lasts until the page is left.
  }
  window.dispatchEvent(new Event(CHOICE_EVENT));
}

/**
 * The switch's choice, else the profile's language, else the browser's (navigator.language, which follows the
 * Accept-Language the browser sends). The server renders English and the browser's answer follows at once.
 */
export function useLocale(profileLanguage?: string | null): Locale {
  const choice = React.useSyncExternalStore(subscribe, readChoice, () => null);
  const browser = React.useSyncExternalStore(subscribe, () => localeOf(navigator.language), () => "en" as Locale);
  return choice ?? (profileLanguage ? localeOf(profileLanguage) : browser);
}

/** `translate` bound to `locale`, the same function while the locale stays (safe in a hook's dependencies). */
function useTranslator(locale: Locale): T {
  return React.useCallback((text: string, vars?: Vars) => translate(locale, text, vars), [locale]);
}

/** `t("Sign out")` in the signed-in person's language (English while the profile loads). */
export function useT(): T {
  return useTranslator(useLocale(useMe().data?.language));
}

/**
 * The same, from the profile already loaded in this tab, without asking the server for it (screens outside the
 * app shell, like the interview, make no extra request; opened directly they read English).
 */
export function useLoadedT(): T {
  return useTranslator(useLocale(useLoadedLanguage()));
}

/**
 * The profile's language if this tab already loaded the profile; it never asks the server, and works outside a
 * QueryClientProvider too (then: the switch's choice or the browser's language).
 */
export function useLoadedLanguage(): string | undefined {
  const client = React.useContext(QueryClientContext);
  return React.useSyncExternalStore(
    React.useCallback((onChange: () => void) => client?.getQueryCache().subscribe(onChange) ?? (() => {}), [client]),
    () => client?.getQueryData<Me>(profileKeys.me)?.language ?? undefined,
    () => undefined,
  );
}
